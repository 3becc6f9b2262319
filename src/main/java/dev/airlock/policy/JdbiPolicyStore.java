package dev.airlock.policy;

import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;

final class JdbiPolicyStore implements PolicyStore {
    @Override
    public Policy find(Tx tx, String subject) {
        return tx.handle().createQuery("SELECT * FROM policies WHERE subject = :s").bind("s", subject)
                .map((rs, c) -> new Policy(rs.getString("mfa"), bool(rs, "staging_required"), integer(rs, "approvals"),
                        bool(rs, "require_2fa")))
                .findOne().orElse(Policy.EMPTY);
    }

    private static Boolean bool(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v == 1;
    }

    private static Integer integer(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    @Override
    public void save(Tx tx, String subject, Policy p, String by, long at) {
        tx.handle().createUpdate("DELETE FROM policies WHERE subject = :s").bind("s", subject).execute();
        tx.handle().createUpdate("INSERT INTO policies (subject, mfa, staging_required, approvals, require_2fa, updated_at, updated_by)"
                        + " VALUES (:s, :mfa, :staging, :approvals, :tfa, :at, :by)")
                .bind("s", subject).bind("mfa", p.mfa())
                .bind("staging", p.stagingRequired() == null ? null : p.stagingRequired() ? 1 : 0)
                .bind("approvals", p.approvals())
                .bind("tfa", p.require2fa() == null ? null : p.require2fa() ? 1 : 0)
                .bind("at", at).bind("by", by).execute();
    }
}
