package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

final class JdbiSecurityKeyStore implements SecurityKeyStore {
    private static final String CODE_COLUMNS =
            "auth_id, user_name, token_key, operation, source, created_at, expires_at, code_hash,"
                    + " code_sealed, used_at, factor, phishing_resistant";

    @Override
    public List<SecurityKey> list(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT credential_id, user_name, nickname, created_at, last_used_at FROM security_keys"
                        + " WHERE user_name = :u ORDER BY created_at")
                .bind("u", user)
                .map((rs, c) -> new SecurityKey(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getObject(5) == null ? null : rs.getLong(5)))
                .list();
    }

    @Override
    public int count(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT COUNT(*) FROM security_keys WHERE user_name = :u")
                .bind("u", user)
                .mapTo(Integer.class)
                .one();
    }

    private static Credential credential(ResultSet rs) throws SQLException {
        return new Credential(
                rs.getString("credential_id"),
                rs.getString("user_name"),
                rs.getString("user_handle"),
                rs.getString("public_key_cose"),
                rs.getLong("signature_count"));
    }

    @Override
    public List<Credential> credentials(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT * FROM security_keys WHERE user_name = :u")
                .bind("u", user)
                .map((rs, c) -> credential(rs))
                .list();
    }

    @Override
    public List<Credential> byId(Tx tx, String credentialId) {
        return tx.handle()
                .createQuery("SELECT * FROM security_keys WHERE credential_id = :id")
                .bind("id", credentialId)
                .map((rs, c) -> credential(rs))
                .list();
    }

    @Override
    public String userHandle(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT user_handle FROM security_keys WHERE user_name = :u LIMIT 1")
                .bind("u", user)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public String userForHandle(Tx tx, String handle) {
        return tx.handle()
                .createQuery("SELECT user_name FROM security_keys WHERE user_handle = :h LIMIT 1")
                .bind("h", handle)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public void insert(Tx tx, Credential c, String nickname, long at) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO security_keys (credential_id, user_name, user_handle, public_key_cose, signature_count,"
                                + " nickname, created_at) VALUES (:id, :u, :h, :k, :n, :nick, :at)")
                .bind("id", c.credentialId())
                .bind("u", c.user())
                .bind("h", c.userHandle())
                .bind("k", c.publicKeyCose())
                .bind("n", c.signatureCount())
                .bind("nick", nickname)
                .bind("at", at)
                .execute();
    }

    @Override
    public boolean delete(Tx tx, String user, String credentialId) {
        return tx.handle()
                        .createUpdate("DELETE FROM security_keys WHERE user_name = :u AND credential_id = :id")
                        .bind("u", user)
                        .bind("id", credentialId)
                        .execute()
                == 1;
    }

    @Override
    public void used(Tx tx, String credentialId, long signatureCount, long at) {
        tx.handle()
                .createUpdate(
                        "UPDATE security_keys SET signature_count = :n, last_used_at = :at WHERE credential_id = :id")
                .bind("id", credentialId)
                .bind("n", signatureCount)
                .bind("at", at)
                .execute();
    }

    @Override
    public void insertCeremony(Tx tx, String idHash, Ceremony c, long now) {
        tx.handle()
                .createUpdate("DELETE FROM webauthn_ceremonies WHERE expires_at < :now")
                .bind("now", now)
                .execute();
        tx.handle()
                .createUpdate(
                        "INSERT INTO webauthn_ceremonies (id_hash, user_name, kind, purpose, request_json, expires_at)"
                                + " VALUES (:id, :u, :k, :p, :r, :e)")
                .bind("id", idHash)
                .bind("u", c.user())
                .bind("k", c.kind())
                .bind("p", c.purpose())
                .bind("r", c.requestJson())
                .bind("e", c.expiresAt())
                .execute();
    }

    @Override
    public Ceremony takeCeremony(Tx tx, String idHash) {
        Ceremony c = tx.handle()
                .createQuery("SELECT user_name, kind, purpose, request_json, expires_at FROM webauthn_ceremonies"
                        + " WHERE id_hash = :id")
                .bind("id", idHash)
                .map((rs, ctx) ->
                        new Ceremony(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)))
                .findOne()
                .orElse(null);
        if (c != null
                && tx.handle()
                                .createUpdate("DELETE FROM webauthn_ceremonies WHERE id_hash = :id")
                                .bind("id", idHash)
                                .execute()
                        != 1) {
            return null;
        }
        return c;
    }

    @Override
    public void insertCode(Tx tx, KeyCode k, String doneHash) {
        tx.handle()
                .createUpdate("DELETE FROM key_codes WHERE expires_at < :now")
                .bind("now", k.createdAt())
                .execute();
        tx.handle()
                .createUpdate("INSERT INTO key_codes (" + CODE_COLUMNS
                        + ", done_hash) VALUES (:a, :u, :t, :o, :s, :c, :e, :h, :sealed, NULL, NULL, NULL, :d)")
                .bind("a", k.authId())
                .bind("u", k.user())
                .bind("t", k.tokenKey())
                .bind("o", k.operation())
                .bind("s", k.source())
                .bind("c", k.createdAt())
                .bind("e", k.expiresAt())
                .bind("h", k.codeHash())
                .bind("sealed", k.codeSealed())
                .bind("d", doneHash)
                .execute();
    }

    private KeyCode code(Tx tx, String where, String value) {
        return tx.handle()
                .createQuery("SELECT " + CODE_COLUMNS + " FROM key_codes WHERE " + where + " = :v")
                .bind("v", value)
                .map((rs, c) -> new KeyCode(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getObject(10) == null ? null : rs.getLong(10),
                        rs.getString(11),
                        rs.getInt(12) == 1))
                .findOne()
                .orElse(null);
    }

    @Override
    public KeyCode codeByAuthId(Tx tx, String authId) {
        return code(tx, "auth_id", authId);
    }

    @Override
    public KeyCode codeByDoneHash(Tx tx, String doneHash) {
        return code(tx, "done_hash", doneHash);
    }

    @Override
    public KeyCode codeByHash(Tx tx, String codeHash) {
        return code(tx, "code_hash", codeHash);
    }

    @Override
    public boolean confirm(
            Tx tx,
            String authId,
            String codeHash,
            String codeSealed,
            long expiresAt,
            String factor,
            boolean phishingResistant) {
        return tx.handle()
                        .createUpdate("UPDATE key_codes SET code_hash = :h, code_sealed = :s, expires_at = :e,"
                                + " factor = :f, phishing_resistant = :pr WHERE auth_id = :a AND code_hash IS NULL")
                        .bind("a", authId)
                        .bind("h", codeHash)
                        .bind("s", codeSealed)
                        .bind("e", expiresAt)
                        .bind("f", factor)
                        .bind("pr", factor == null ? null : phishingResistant ? 1 : 0)
                        .execute()
                == 1;
    }

    @Override
    public void collected(Tx tx, String authId) {
        tx.handle()
                .createUpdate("UPDATE key_codes SET code_sealed = NULL WHERE auth_id = :a")
                .bind("a", authId)
                .execute();
    }

    @Override
    public boolean use(Tx tx, String codeHash, long at) {
        return tx.handle()
                        .createUpdate("UPDATE key_codes SET used_at = :at WHERE code_hash = :h AND used_at IS NULL")
                        .bind("h", codeHash)
                        .bind("at", at)
                        .execute()
                == 1;
    }
}
