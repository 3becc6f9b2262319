package dev.airlock.policy;

import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;

final class JdbiPolicyStore implements PolicyStore {
    @Override
    public Policy find(Tx tx, String subject) {
        return tx.handle()
                .createQuery("SELECT * FROM policies WHERE subject = :s")
                .bind("s", subject)
                .map((rs, c) -> new Policy(
                        rs.getString("mfa"),
                        bool(rs, "staging_required"),
                        integer(rs, "approvals"),
                        bool(rs, "require_2fa"),
                        bool(rs, "security_key_approval"),
                        rs.getString("require_provenance")))
                .findOne()
                .orElse(Policy.EMPTY);
    }

    private static Boolean bool(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v == 1;
    }

    private static Integer integer(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    private static Integer flag(Boolean b) {
        return b == null ? null : b ? 1 : 0;
    }

    @Override
    public void save(Tx tx, String subject, Policy p, String by, long at) {
        tx.handle()
                .createUpdate("DELETE FROM policies WHERE subject = :s")
                .bind("s", subject)
                .execute();
        tx.handle()
                .createUpdate(
                        "INSERT INTO policies (subject, mfa, staging_required, approvals, require_2fa, security_key_approval,"
                                + " require_provenance, updated_at, updated_by)"
                                + " VALUES (:s, :mfa, :staging, :approvals, :tfa, :key, :prov, :at, :by)")
                .bind("s", subject)
                .bind("mfa", p.mfa())
                .bind("staging", flag(p.stagingRequired()))
                .bind("approvals", p.approvals())
                .bind("tfa", flag(p.require2fa()))
                .bind("key", flag(p.securityKeyApproval()))
                .bind("prov", p.requireProvenance())
                .bind("at", at)
                .bind("by", by)
                .execute();
    }
}
