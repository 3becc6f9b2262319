package dev.airlock.console;

import dev.airlock.platform.db.Tx;

final class JdbiWebLoginStore implements WebLoginStore {
    @Override
    public void insert(Tx tx, String idHash, long createdAt, long expiresAt, String source, String userAgent) {
        tx.handle()
                .createUpdate("DELETE FROM web_logins WHERE expires_at < :now")
                .bind("now", createdAt)
                .execute();
        tx.handle()
                .createUpdate("INSERT INTO web_logins (id_hash, created_at, expires_at, source, user_agent)"
                        + " VALUES (:id, :at, :exp, :src, :ua)")
                .bind("id", idHash)
                .bind("at", createdAt)
                .bind("exp", expiresAt)
                .bind("src", source)
                .bind("ua", userAgent)
                .execute();
    }

    @Override
    public Row find(Tx tx, String idHash) {
        return tx.handle()
                .createQuery("SELECT id_hash, created_at, expires_at, user_name, token_sealed, source, user_agent"
                        + " FROM web_logins WHERE id_hash = :id")
                .bind("id", idHash)
                .map((rs, c) -> new Row(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7)))
                .findOne()
                .orElse(null);
    }

    @Override
    public void complete(Tx tx, String idHash, String user, String tokenSealed) {
        tx.handle()
                .createUpdate(
                        "UPDATE web_logins SET user_name = :u, token_sealed = :t WHERE id_hash = :id AND token_sealed IS NULL")
                .bind("id", idHash)
                .bind("u", user)
                .bind("t", tokenSealed)
                .execute();
    }

    @Override
    public boolean delete(Tx tx, String idHash) {
        return tx.handle()
                        .createUpdate("DELETE FROM web_logins WHERE id_hash = :id")
                        .bind("id", idHash)
                        .execute()
                == 1;
    }

    @Override
    public int deleteFor(Tx tx, String user) {
        return tx.handle()
                .createUpdate("DELETE FROM web_logins WHERE user_name = :u")
                .bind("u", user)
                .execute();
    }
}
