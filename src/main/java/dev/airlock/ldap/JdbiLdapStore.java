package dev.airlock.ldap;

import dev.airlock.platform.db.Tx;

/** Links between directory entries and accounts, in the single sign-on table {@code sso_identities} (V29). */
final class JdbiLdapStore {
    String linkedUser(Tx tx, String issuer, String subject) {
        return tx.handle()
                .createQuery("SELECT user_name FROM sso_identities WHERE issuer = :i AND subject = :s")
                .bind("i", issuer)
                .bind("s", subject)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    void link(Tx tx, String issuer, String subject, String user, long at) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO sso_identities (issuer, subject, user_name, provider, created_at, last_seen_at)"
                                + " VALUES (:i, :s, :u, 'ldap', :at, :at)")
                .bind("i", issuer)
                .bind("s", subject)
                .bind("u", user)
                .bind("at", at)
                .execute();
    }

    void seen(Tx tx, String issuer, String subject, long at) {
        tx.handle()
                .createUpdate("UPDATE sso_identities SET last_seen_at = :at WHERE issuer = :i AND subject = :s")
                .bind("i", issuer)
                .bind("s", subject)
                .bind("at", at)
                .execute();
    }
}
