package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;

final class JdbiResetStore implements ResetStore {
    private static final RowMapper<PendingReset> ROW = (rs, c) -> new PendingReset(
            rs.getString("id"),
            rs.getString("user_name"),
            rs.getString("reason"),
            rs.getString("requested_by"),
            rs.getLong("requested_at"),
            rs.getLong("effective_at"));

    @Override
    public void insert(Tx tx, PendingReset r) {
        tx.handle()
                .createUpdate("INSERT INTO twofactor_resets (id, user_name, reason, requested_by, requested_at,"
                        + " effective_at, state) VALUES (:id, :u, :reason, :by, :at, :eff, :state)")
                .bind("id", r.id())
                .bind("u", r.user())
                .bind("reason", r.reason())
                .bind("by", r.requestedBy())
                .bind("at", r.requestedAt())
                .bind("eff", r.effectiveAt())
                .bind("state", PENDING)
                .execute();
    }

    @Override
    public PendingReset pending(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT * FROM twofactor_resets WHERE user_name = :u AND state = :s"
                        + " ORDER BY requested_at LIMIT 1")
                .bind("u", user)
                .bind("s", PENDING)
                .map(ROW)
                .findOne()
                .orElse(null);
    }

    @Override
    public List<PendingReset> pendingOf(Tx tx, Collection<String> users) {
        if (users.isEmpty()) {
            return List.of();
        }
        return tx.handle()
                .createQuery("SELECT * FROM twofactor_resets WHERE state = :s AND user_name IN (<users>)"
                        + " ORDER BY user_name")
                .bind("s", PENDING)
                .bindList("users", List.copyOf(users))
                .map(ROW)
                .list();
    }

    @Override
    public List<PendingReset> due(Tx tx, long now, int limit) {
        return tx.handle()
                .createQuery("SELECT * FROM twofactor_resets WHERE state = :s AND effective_at <= :now"
                        + " ORDER BY effective_at LIMIT :limit")
                .bind("s", PENDING)
                .bind("now", now)
                .bind("limit", limit)
                .map(ROW)
                .list();
    }

    @Override
    public boolean decide(Tx tx, String id, String state, long at, String by) {
        return tx.handle()
                        .createUpdate("UPDATE twofactor_resets SET state = :state, decided_at = :at, decided_by = :by"
                                + " WHERE id = :id AND state = :pending")
                        .bind("state", state)
                        .bind("at", at)
                        .bind("by", by)
                        .bind("id", id)
                        .bind("pending", PENDING)
                        .execute()
                == 1;
    }

    @Override
    public boolean userExists(Tx tx, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM users WHERE name = :u")
                        .bind("u", user)
                        .mapTo(Long.class)
                        .one()
                > 0;
    }

    @Override
    public List<String> ownersAround(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT DISTINCT o.user_name FROM org_members m JOIN org_members o ON o.org = m.org"
                        + " WHERE m.user_name = :u AND o.role = 'owner' AND o.user_name <> :u ORDER BY o.user_name")
                .bind("u", user)
                .mapTo(String.class)
                .list();
    }

    @Override
    public boolean ownsOrgOf(Tx tx, String owner, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM org_members m JOIN org_members o ON o.org = m.org"
                                + " WHERE m.user_name = :u AND o.user_name = :owner AND o.role = 'owner'")
                        .bind("u", user)
                        .bind("owner", owner)
                        .mapTo(Long.class)
                        .one()
                > 0;
    }
}
