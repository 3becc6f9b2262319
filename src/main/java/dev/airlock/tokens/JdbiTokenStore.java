package dev.airlock.tokens;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.TokenScope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

final class JdbiTokenStore implements TokenStore {
    @Override
    public void insert(Tx tx, Token t) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO tokens (token_hash, user_name, kind, display, name, description, readonly,"
                                + " cidr_json, restrictions_json, bypass_2fa, created_at, updated_at, expires_at) VALUES (:key, :user, :kind,"
                                + " :display, :name, :description, :readonly, :cidr, :scope, :bypass, :created, :updated, :expires)")
                .bind("key", t.key())
                .bind("user", t.user())
                .bind("kind", t.kind())
                .bind("display", t.display())
                .bind("name", t.name())
                .bind("description", t.description())
                .bind("readonly", t.readonly() ? 1 : 0)
                .bind("cidr", t.cidr() == null ? null : Json.write(t.cidr()))
                .bind("bypass", t.bypass2fa() ? 1 : 0)
                .bind("scope", t.scope() == null ? null : Json.write(t.scope()))
                .bind("created", t.createdAt())
                .bind("updated", t.updatedAt())
                .bind("expires", t.expiresAt())
                .execute();
    }

    @Override
    public Token byKey(Tx tx, String key) {
        // no single sign-on lapses before the earliest time: only deactivation hides the token
        return usable(tx, key, Long.MIN_VALUE);
    }

    @Override
    public Token usable(Tx tx, String key, long now) {
        return tx.handle()
                .createQuery("SELECT * FROM tokens WHERE token_hash = :k"
                        // a deactivated account's tokens, and those of an account whose single sign-on lapsed
                        // (auth.oidc.NAME.maxSessionAge) until its person signs in through the provider again
                        + " AND NOT EXISTS (SELECT 1 FROM users WHERE users.name = tokens.user_name"
                        + " AND (users.deactivated_at IS NOT NULL OR users.sso_until <= :now))")
                .bind("k", key)
                .bind("now", now)
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    @Override
    public String ownerOf(Tx tx, String key) {
        return tx.handle()
                .createQuery("SELECT user_name FROM tokens WHERE token_hash = :k")
                .bind("k", key)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public List<Token> byUser(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT * FROM tokens WHERE user_name = :u AND revoked_at IS NULL ORDER BY created_at")
                .bind("u", user)
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public void revoke(Tx tx, String key, long at) {
        tx.handle()
                .createUpdate(
                        "UPDATE tokens SET revoked_at = :at, updated_at = :at WHERE token_hash = :k AND revoked_at IS NULL")
                .bind("k", key)
                .bind("at", at)
                .execute();
    }

    @Override
    public List<Token> all(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM tokens WHERE revoked_at IS NULL ORDER BY created_at")
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public void touch(Tx tx, String key, long at, String from) {
        tx.handle()
                .createUpdate("UPDATE tokens SET last_used_at = :at, last_used_from = :from WHERE token_hash = :k")
                .bind("k", key)
                .bind("at", at)
                .bind("from", from)
                .execute();
    }

    private static Token row(ResultSet rs) throws SQLException {
        String cidr = rs.getString("cidr_json");
        List<String> cidrs = null;
        if (cidr != null) {
            try {
                cidrs = Json.MAPPER.readValue(cidr, new TypeReference<List<String>>() {});
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return Token.builder()
                .key(rs.getString("token_hash"))
                .user(rs.getString("user_name"))
                .kind(rs.getString("kind"))
                .display(rs.getString("display"))
                .named(rs.getString("name"), rs.getString("description"))
                .readonly(rs.getInt("readonly") == 1)
                .cidr(cidrs)
                .bypass2fa(rs.getInt("bypass_2fa") == 1)
                .timestamps(rs.getLong("created_at"), rs.getLong("updated_at"))
                .expiresAt(dev.airlock.platform.db.Rows.nullableLong(rs, "expires_at"))
                .lastUsed(dev.airlock.platform.db.Rows.nullableLong(rs, "last_used_at"), rs.getString("last_used_from"))
                .revokedAt(dev.airlock.platform.db.Rows.nullableLong(rs, "revoked_at"))
                .scope(scope(rs.getString("restrictions_json")))
                .build();
    }

    private static TokenScope scope(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, TokenScope.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored token restrictions are corrupt", e);
        }
    }

    @Override
    public boolean seenFrom(Tx tx, String key, String address) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM token_addresses WHERE token_hash = :k AND address = :a")
                        .bind("k", key)
                        .bind("a", address)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public boolean addAddress(Tx tx, String key, String address, long at) {
        return tx.handle()
                        .createUpdate("INSERT INTO token_addresses (token_hash, address, first_at) VALUES (:k, :a, :at)"
                                + " ON CONFLICT DO NOTHING")
                        .bind("k", key)
                        .bind("a", address)
                        .bind("at", at)
                        .execute()
                == 1;
    }
}
