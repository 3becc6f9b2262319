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
                        + " next_page, created_at, expires_at) VALUES (:s, :p, :n, :b, :v, :next, :at, :exp)")
                .bind("s", f.stateHash())
                .bind("p", f.provider())
                .bind("n", f.nonceHash())
                .bind("b", f.browserHash())
                .bind("v", f.verifierSealed())
                .bind("next", f.nextPage())
                .bind("at", f.createdAt())
                .bind("exp", f.expiresAt())
                .execute();
    }

    @Override
    public Flow takeFlow(Tx tx, String stateHash) {
        Flow f = tx.handle()
                .createQuery("SELECT state_hash, provider, nonce_hash, browser_hash, verifier_sealed, next_page,"
                        + " created_at, expires_at FROM sso_flows WHERE state_hash = :s")
                .bind("s", stateHash)
                .map((rs, c) -> new Flow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getLong(7),
                        rs.getLong(8)))
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
}
