package dev.airlock.signing;

import dev.airlock.platform.db.Tx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The SQL of the signing feature: the public keys ({@code signing_keys}) and proxied versions' signatures. */
final class JdbiSigningStore {
    /** Every key, the current one first, then the newest first. */
    List<RegistryKey> keys(Tx tx) {
        return tx.handle()
                .createQuery("SELECT keyid, spki, created_at, expires_at FROM signing_keys"
                        + " ORDER BY CASE WHEN expires_at IS NULL THEN 0 ELSE 1 END, created_at DESC, keyid")
                .map((rs, ctx) -> {
                    long expires = rs.getLong(4);
                    Long expiresAt = rs.wasNull() ? null : expires;
                    return new RegistryKey(rs.getString(1), rs.getString(2), rs.getLong(3), expiresAt);
                })
                .list();
    }

    void insert(Tx tx, RegistryKey key) {
        tx.handle()
                .createUpdate("INSERT INTO signing_keys (keyid, spki, created_at, expires_at) VALUES (:k, :s, :c, :e)")
                .bind("k", key.keyid())
                .bind("s", key.spki())
                .bind("c", key.createdAt())
                .bind("e", key.expiresAt())
                .execute();
    }

    /** Ends every current key other than {@code keep} at {@code at}; returns how many. */
    int expireOthers(Tx tx, String keep, long at) {
        return tx.handle()
                .createUpdate("UPDATE signing_keys SET expires_at = :at WHERE expires_at IS NULL AND keyid <> :k")
                .bind("at", at)
                .bind("k", keep)
                .execute();
    }

    /** The signatures made for proxied versions of {@code pkg}: version + NUL + integrity → signature. */
    Map<String, SignatureRef> proxySignatures(Tx tx, String pkg) {
        Map<String, SignatureRef> out = new HashMap<>();
        tx.handle()
                .createQuery("SELECT version, integrity, keyid, sig FROM proxy_signatures WHERE package = :p")
                .bind("p", pkg)
                .map((rs, ctx) -> Map.entry(
                        rs.getString(1) + '\0' + rs.getString(2), new SignatureRef(rs.getString(3), rs.getString(4))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    void saveProxySignature(Tx tx, String pkg, String version, String integrity, SignatureRef sig) {
        tx.handle()
                .createUpdate("INSERT INTO proxy_signatures (package, version, integrity, keyid, sig)"
                        + " VALUES (:p, :v, :i, :k, :s) ON CONFLICT DO NOTHING")
                .bind("p", pkg)
                .bind("v", version)
                .bind("i", integrity)
                .bind("k", sig.keyid())
                .bind("s", sig.sig())
                .execute();
    }

    /** The stored keys of an upstream ({@code [keys JSON, fetched_at]}); null when they were never fetched. */
    StoredKeys upstreamKeys(Tx tx, String upstream) {
        return tx.handle()
                .createQuery("SELECT keys_json, fetched_at FROM upstream_keys WHERE upstream = :u")
                .bind("u", upstream)
                .map((rs, ctx) -> new StoredKeys(rs.getString(1), rs.getLong(2)))
                .findOne()
                .orElse(null);
    }

    record StoredKeys(String json, long fetchedAt) {}

    void putUpstreamKeys(Tx tx, String upstream, String json, long fetchedAt) {
        tx.handle()
                .createUpdate("INSERT INTO upstream_keys (upstream, keys_json, fetched_at) VALUES (:u, :j, :f)"
                        + " ON CONFLICT (upstream) DO UPDATE SET keys_json = excluded.keys_json,"
                        + " fetched_at = excluded.fetched_at")
                .bind("u", upstream)
                .bind("j", json)
                .bind("f", fetchedAt)
                .execute();
    }
}
