package dev.airlock.staging;

import dev.airlock.platform.db.Rows;
import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

final class JdbiStageStore implements StageStore {
    @Override
    public void insert(Tx tx, Stage s) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO stages (id, package, version, tag, actor, actor_type, token_key, source, integrity,"
                                + " shasum, size, approvals_required, state, created_at, expires_at, ci_json) VALUES (:id, :p, :v, :tag,"
                                + " :actor, :type, :token, :source, :integrity, :shasum, :size, :required, :state, :created, :expires, :ci)")
                .bind("id", s.id())
                .bind("p", s.pkg())
                .bind("v", s.version())
                .bind("tag", s.tag())
                .bind("actor", s.actor())
                .bind("type", s.actorType())
                .bind("token", s.tokenKey())
                .bind("source", s.source())
                .bind("integrity", s.integrity())
                .bind("shasum", s.shasum())
                .bind("size", s.size())
                .bind("required", s.approvalsRequired())
                .bind("state", s.status().wire())
                .bind("created", s.createdAt())
                .bind("expires", s.expiresAt())
                .bind("ci", s.ciJson())
                .execute();
    }

    @Override
    public Stage find(Tx tx, String id) {
        return tx.handle()
                .createQuery("SELECT * FROM stages WHERE id = :id")
                .bind("id", id)
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    @Override
    public List<Stage> pending(Tx tx, String pkg) {
        if (pkg == null) {
            return tx.handle()
                    .createQuery("SELECT * FROM stages WHERE state = 'pending' ORDER BY created_at, id")
                    .map((rs, c) -> row(rs))
                    .list();
        }
        return tx.handle()
                .createQuery("SELECT * FROM stages WHERE state = 'pending' AND package = :p ORDER BY created_at, id")
                .bind("p", pkg)
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public List<Stage> expiredPending(Tx tx, long now) {
        return tx.handle()
                .createQuery("SELECT * FROM stages WHERE state = 'pending' AND expires_at <= :now")
                .bind("now", now)
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public StagingService.PendingSummary pendingSummary(Tx tx, long now) {
        // one range scan of the index stages_state (state, expires_at)
        return tx.handle()
                .createQuery("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM stages"
                        + " WHERE state = 'pending' AND expires_at > :now")
                .bind("now", now)
                .map((rs, c) -> {
                    long n = rs.getLong("n");
                    long oldest = rs.getLong("oldest");
                    return new StagingService.PendingSummary(n, n == 0 ? now : oldest, now);
                })
                .one();
    }

    @Override
    public List<Stage> pendingCreatedBefore(Tx tx, long before, long now) {
        return tx.handle()
                .createQuery("SELECT * FROM stages WHERE state = 'pending' AND created_at <= :before"
                        + " AND expires_at > :now ORDER BY created_at, id")
                .bind("before", before)
                .bind("now", now)
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public void decide(Tx tx, String id, StageState state, long at, String by) {
        tx.handle()
                .createUpdate(
                        "UPDATE stages SET state = :s, decided_at = :at, decided_by = :by WHERE id = :id AND state = 'pending'")
                .bind("id", id)
                .bind("s", state.wire())
                .bind("at", at)
                .bind("by", by)
                .execute();
    }

    @Override
    public List<Approval> approvals(Tx tx, String id) {
        return tx.handle()
                .createQuery("SELECT user_name, factor, at FROM stage_approvals WHERE stage_id = :id ORDER BY at")
                .bind("id", id)
                .map((rs, c) -> new Approval(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .list();
    }

    @Override
    public void addApproval(Tx tx, String id, Approval a) {
        tx.handle()
                .createUpdate("INSERT INTO stage_approvals (stage_id, user_name, factor, at) VALUES (:id, :u, :f, :at)")
                .bind("id", id)
                .bind("u", a.user())
                .bind("f", a.factor())
                .bind("at", a.at())
                .execute();
    }

    private static Stage row(ResultSet rs) throws SQLException {
        return Stage.builder()
                .id(rs.getString("id"))
                .release(rs.getString("package"), rs.getString("version"), rs.getString("tag"))
                .stagedBy(
                        rs.getString("actor"),
                        rs.getString("actor_type"),
                        rs.getString("token_key"),
                        rs.getString("source"))
                .tarball(rs.getString("integrity"), rs.getString("shasum"), rs.getLong("size"))
                .approvalsRequired(rs.getInt("approvals_required"))
                .status(StageState.fromWire(rs.getString("state")))
                .lifetime(rs.getLong("created_at"), rs.getLong("expires_at"))
                .decided(Rows.nullableLong(rs, "decided_at"), rs.getString("decided_by"))
                .ciJson(rs.getString("ci_json"))
                .build();
    }
}
