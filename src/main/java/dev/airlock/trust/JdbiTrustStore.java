package dev.airlock.trust;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.util.List;
import java.util.Map;

final class JdbiTrustStore implements TrustStore {
    @Override
    public TrustedPublisher find(Tx tx, String pkg) {
        return tx.handle()
                .createQuery("SELECT * FROM trusted_publishers WHERE package = :p")
                .bind("p", pkg)
                .map((rs, c) -> new TrustedPublisher(
                        rs.getString("id"),
                        rs.getString("package"),
                        rs.getString("type"),
                        read(rs.getString("claims_json"), new TypeReference<Map<String, Object>>() {}),
                        read(rs.getString("permissions_json"), new TypeReference<List<String>>() {}),
                        rs.getString("pinned_json") == null
                                ? Map.of()
                                : read(rs.getString("pinned_json"), new TypeReference<Map<String, String>>() {}),
                        rs.getLong("created_at"),
                        rs.getString("created_by")))
                .findOne()
                .orElse(null);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored trust relationship is corrupt", e);
        }
    }

    @Override
    public void insert(Tx tx, TrustedPublisher t) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO trusted_publishers (id, package, type, claims_json, permissions_json, pinned_json,"
                                + " created_at, created_by) VALUES (:id, :p, :type, :claims, :perms, NULL, :at, :by)")
                .bind("id", t.id())
                .bind("p", t.pkg())
                .bind("type", t.type())
                .bind("claims", Json.write(t.claims()))
                .bind("perms", Json.write(t.permissions()))
                .bind("at", t.createdAt())
                .bind("by", t.createdBy())
                .execute();
    }

    @Override
    public void delete(Tx tx, String id) {
        tx.handle()
                .createUpdate("DELETE FROM trusted_publishers WHERE id = :id")
                .bind("id", id)
                .execute();
    }

    @Override
    public void pin(Tx tx, String id, Map<String, String> pinned) {
        tx.handle()
                .createUpdate("UPDATE trusted_publishers SET pinned_json = :j WHERE id = :id")
                .bind("id", id)
                .bind("j", Json.write(pinned))
                .execute();
    }

    @Override
    public boolean claimJti(Tx tx, String issuer, String jti, long expiresAt) {
        tx.handle()
                .createUpdate("DELETE FROM oidc_jti WHERE expires_at < :now")
                .bind("now", System.currentTimeMillis() - 86_400_000L)
                .execute();
        int n = tx.handle()
                .createUpdate("INSERT INTO oidc_jti (issuer, jti, expires_at) SELECT :i, :j, :e WHERE NOT EXISTS"
                        + " (SELECT 1 FROM oidc_jti WHERE issuer = :i AND jti = :j)")
                .bind("i", issuer)
                .bind("j", jti)
                .bind("e", expiresAt)
                .execute();
        return n == 1;
    }
}
