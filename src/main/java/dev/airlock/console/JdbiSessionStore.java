package dev.airlock.console;

import dev.airlock.platform.db.Tx;

final class JdbiSessionStore implements SessionStore {
    @Override
    public void insert(Tx tx, String idHash, String user, String csrf, long createdAt, long expiresAt) {
        tx.handle()
                .createUpdate("INSERT INTO console_sessions (id_hash, user_name, csrf, created_at, expires_at)"
                        + " VALUES (:id, :u, :c, :at, :exp)")
                .bind("id", idHash)
                .bind("u", user)
                .bind("c", csrf)
                .bind("at", createdAt)
                .bind("exp", expiresAt)
                .execute();
    }

    @Override
    public ConsoleSession find(Tx tx, String idHash, long now) {
        return tx.handle()
                .createQuery(
                        "SELECT user_name, csrf, expires_at FROM console_sessions WHERE id_hash = :id AND expires_at > :now"
                                // a deactivated account's sessions are deleted with it; this closes the race too,
                                // and refuses them while the account's single sign-on has lapsed (maxSessionAge)
                                + " AND NOT EXISTS (SELECT 1 FROM users WHERE users.name = console_sessions.user_name"
                                + " AND (users.deactivated_at IS NOT NULL OR users.sso_until <= :now))")
                .bind("id", idHash)
                .bind("now", now)
                .map((rs, c) -> new ConsoleSession(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .findOne()
                .orElse(null);
    }

    @Override
    public void delete(Tx tx, String idHash) {
        tx.handle()
                .createUpdate("DELETE FROM console_sessions WHERE id_hash = :id")
                .bind("id", idHash)
                .execute();
    }

    @Override
    public int deleteFor(Tx tx, String user) {
        return tx.handle()
                .createUpdate("DELETE FROM console_sessions WHERE user_name = :u")
                .bind("u", user)
                .execute();
    }
}
