package dev.airlock.accounts;

import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class JdbiUserStore implements UserStore {
    static final Set<String> PROFILE_FIELDS = Set.of("email", "fullname", "homepage", "freenode", "twitter", "github");

    @Override
    public void insert(Tx tx, User u, String passwordHash) {
        tx.handle()
                .createUpdate("INSERT INTO users (name, email, password_hash, admin, created_at, updated_at)"
                        + " VALUES (:name, :email, :hash, :admin, :at, :at)")
                .bind("name", u.name())
                .bind("email", u.email())
                .bind("hash", passwordHash)
                .bind("admin", u.admin() ? 1 : 0)
                .bind("at", u.createdAt())
                .execute();
    }

    @Override
    public void recordPasswordFailure(Tx tx, String name, String source, long at) {
        tx.handle()
                .createUpdate("INSERT INTO password_failures (user_name, source, at) VALUES (:u, :s, :at)")
                .bind("u", name)
                .bind("s", source)
                .bind("at", at)
                .execute();
    }

    @Override
    public List<PasswordFailure> passwordFailuresSince(Tx tx, String name, long since) {
        return tx.handle()
                .createQuery(
                        "SELECT source, at FROM password_failures WHERE user_name = :u AND at >= :since ORDER BY at")
                .bind("u", name)
                .bind("since", since)
                .map((rs, c) -> new PasswordFailure(rs.getString("source"), rs.getLong("at")))
                .list();
    }

    @Override
    public void clearPasswordFailures(Tx tx, String name, String source) {
        tx.handle()
                .createUpdate("DELETE FROM password_failures WHERE user_name = :u AND source = :s")
                .bind("u", name)
                .bind("s", source)
                .execute();
    }

    @Override
    public int purgePasswordFailures(Tx tx, long before) {
        return tx.handle()
                .createUpdate("DELETE FROM password_failures WHERE at < :before")
                .bind("before", before)
                .execute();
    }

    @Override
    public User byName(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM users WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    @Override
    public String passwordHash(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT password_hash FROM users WHERE name = :n")
                .bind("n", name)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public List<User> all(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM users ORDER BY name")
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public void updateProfile(Tx tx, String name, Map<String, String> fields, long at) {
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!PROFILE_FIELDS.contains(e.getKey())) {
                throw new IllegalArgumentException(e.getKey());
            }
            // the column name comes from the fixed allow-list above, never from input
            tx.handle()
                    .createUpdate("UPDATE users SET " + e.getKey() + " = :v, updated_at = :at WHERE name = :n")
                    .bind("v", e.getValue())
                    .bind("at", at)
                    .bind("n", name)
                    .execute();
        }
    }

    @Override
    public void updatePassword(Tx tx, String name, String hash, long at) {
        tx.handle()
                .createUpdate("UPDATE users SET password_hash = :h, updated_at = :at WHERE name = :n")
                .bind("h", hash)
                .bind("at", at)
                .bind("n", name)
                .execute();
    }

    @Override
    public Long deactivatedAt(Tx tx, String name) {
        return time(tx, "deactivated_at", name);
    }

    /** One of the account's time columns ({@code column} is one of this class's literals), or null when unset. */
    private static Long time(Tx tx, String column, String name) {
        return tx.handle()
                .createQuery("SELECT " + column + " FROM users WHERE name = :n AND " + column + " IS NOT NULL")
                .bind("n", name)
                .mapTo(Long.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public void setDeactivated(Tx tx, String name, Long deactivatedAt, long at) {
        tx.handle()
                .createUpdate("UPDATE users SET deactivated_at = :d, updated_at = :at WHERE name = :n")
                .bind("d", deactivatedAt)
                .bind("at", at)
                .bind("n", name)
                .execute();
    }

    @Override
    public void setSsoUntil(Tx tx, String name, Long until) {
        tx.handle()
                .createUpdate("UPDATE users SET sso_until = :u, sso_lapsed_at = NULL WHERE name = :n")
                .bind("u", until)
                .bind("n", name)
                .execute();
    }

    @Override
    public Long ssoUntil(Tx tx, String name) {
        return time(tx, "sso_until", name);
    }

    @Override
    public List<String> ssoLapsedUnnoted(Tx tx, long now) {
        return tx.handle()
                .createQuery("SELECT name FROM users WHERE sso_until <= :now AND sso_lapsed_at IS NULL"
                        + " AND deactivated_at IS NULL ORDER BY name")
                .bind("now", now)
                .mapTo(String.class)
                .list();
    }

    @Override
    public boolean noteSsoLapsed(Tx tx, String name, long now) {
        return tx.handle()
                        .createUpdate("UPDATE users SET sso_lapsed_at = :now WHERE name = :n AND sso_until <= :now"
                                + " AND sso_lapsed_at IS NULL")
                        .bind("n", name)
                        .bind("now", now)
                        .execute()
                == 1;
    }

    private static User row(ResultSet rs) throws SQLException {
        return new User(
                rs.getString("name"),
                rs.getString("email"),
                rs.getInt("admin") == 1,
                rs.getString("fullname"),
                rs.getString("homepage"),
                rs.getString("freenode"),
                rs.getString("twitter"),
                rs.getString("github"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }
}
