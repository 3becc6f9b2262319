package dev.airlock.sso;

import dev.airlock.platform.db.Tx;

final class JdbiSsoStore implements SsoStore {
    @Override
    public String linkedUser(Tx tx, String issuer, String subject) {
        return tx.handle()
                .createQuery("SELECT user_name FROM sso_identities WHERE issuer = :i AND subject = :s")
                .bind("i", issuer)
                .bind("s", subject)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public void link(Tx tx, String issuer, String subject, String user, String provider, long at) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO sso_identities (issuer, subject, user_name, provider, created_at, last_seen_at)"
                                + " VALUES (:i, :s, :u, :p, :at, :at)")
                .bind("i", issuer)
                .bind("s", subject)
                .bind("u", user)
                .bind("p", provider)
                .bind("at", at)
                .execute();
    }

    @Override
    public void seen(Tx tx, String issuer, String subject, long at) {
        tx.handle()
                .createUpdate("UPDATE sso_identities SET last_seen_at = :at WHERE issuer = :i AND subject = :s")
                .bind("i", issuer)
                .bind("s", subject)
                .bind("at", at)
                .execute();
    }

    @Override
    public boolean anyLink(Tx tx, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM sso_identities WHERE user_name = :u")
                        .bind("u", user)
                        .mapTo(Long.class)
                        .one()
                > 0;
    }

    @Override
    public void insertFlow(Tx tx, Flow f, long now) {
        tx.handle()
                .createUpdate("DELETE FROM sso_flows WHERE expires_at < :now")
                .bind("now", now)
                .execute();
        tx.handle()
                .createUpdate("INSERT INTO sso_flows (state_hash, provider, nonce_hash, browser_hash, verifier_sealed,"
                        + " next_page, created_at, expires_at, user_name, purpose)"
                        + " VALUES (:s, :p, :n, :b, :v, :next, :at, :exp, :u, :purpose)")
                .bind("s", f.stateHash())
                .bind("p", f.provider())
                .bind("n", f.nonceHash())
                .bind("b", f.browserHash())
                .bind("v", f.verifierSealed())
                .bind("next", f.nextPage())
                .bind("at", f.createdAt())
                .bind("exp", f.expiresAt())
                .bind("u", f.user())
                .bind("purpose", f.purpose())
                .execute();
    }

    @Override
    public Flow takeFlow(Tx tx, String stateHash) {
        Flow f = tx.handle()
                .createQuery("SELECT state_hash, provider, nonce_hash, browser_hash, verifier_sealed, next_page,"
                        + " created_at, expires_at, user_name, purpose FROM sso_flows WHERE state_hash = :s")
                .bind("s", stateHash)
                .map((rs, c) -> new Flow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getString(9),
                        rs.getString(10)))
                .findOne()
                .orElse(null);
        if (f == null) {
            return null;
        }
        // the delete decides between two nodes receiving the same callback: only one of them deletes the row
        int gone = tx.handle()
                .createUpdate("DELETE FROM sso_flows WHERE state_hash = :s")
                .bind("s", stateHash)
                .execute();
        return gone == 1 ? f : null;
    }

    @Override
    public java.util.List<String> linkedProviders(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT DISTINCT provider FROM sso_identities WHERE user_name = :u ORDER BY provider")
                .bind("u", user)
                .mapTo(String.class)
                .list();
    }

    @Override
    public void insertPresence(Tx tx, Presence p, long now) {
        tx.handle()
                .createUpdate("DELETE FROM sso_presence WHERE expires_at < :now")
                .bind("now", now)
                .execute();
        tx.handle()
                .createUpdate("INSERT INTO sso_presence (code_hash, user_name, purpose, provider, factor,"
                        + " phishing_resistant, created_at, expires_at) VALUES (:h, :u, :purpose, :p, :f, :pr, :at,"
                        + " :exp)")
                .bind("h", p.codeHash())
                .bind("u", p.user())
                .bind("purpose", p.purpose())
                .bind("p", p.provider())
                .bind("f", p.factor())
                .bind("pr", p.phishingResistant() ? 1 : 0)
                .bind("at", p.createdAt())
                .bind("exp", p.expiresAt())
                .execute();
    }

    @Override
    public Presence usePresence(Tx tx, String codeHash, long now) {
        Presence p = tx.handle()
                .createQuery("SELECT code_hash, user_name, purpose, provider, factor, phishing_resistant, created_at,"
                        + " expires_at FROM sso_presence WHERE code_hash = :h AND used_at IS NULL")
                .bind("h", codeHash)
                .map((rs, c) -> new Presence(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6) == 1,
                        rs.getLong(7),
                        rs.getLong(8)))
                .findOne()
                .orElse(null);
        if (p == null) {
            return null;
        }
        // as for flows: of two requests with the same confirmation, only one marks it used
        int used = tx.handle()
                .createUpdate("UPDATE sso_presence SET used_at = :now WHERE code_hash = :h AND used_at IS NULL")
                .bind("h", codeHash)
                .bind("now", now)
                .execute();
        return used == 1 ? p : null;
    }
}
