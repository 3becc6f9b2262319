package dev.airlock.audit;

import dev.airlock.platform.db.Tx;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.Query;

/**
 * Reading the audit log by filter (docs/audit.md, "Query"): sequenced entries only, in log order, through the
 * indexes V16 made on {@code target}, {@code actor}, {@code action} (each with {@code seq}) and {@code at}.
 */
final class JdbiAuditQuery {
    /**
     * Which targets a reader may see: everything, or these exact targets and targets starting with these prefixes
     * ({@code team:corp:}).
     */
    record Scope(boolean all, List<String> targets, List<String> prefixes) {
        static final Scope ALL = new Scope(true, List.of(), List.of());

        boolean empty() {
            return !all && targets.isEmpty() && prefixes.isEmpty();
        }
    }

    /**
     * Up to {@code n} events matching {@code f} within {@code scope}: the first after {@code f.after()} in log order,
     * or ({@code newest}) the last ones, returned in log order too.
     */
    List<AuditEvent> find(Tx tx, AuditFilter f, Scope scope, int n, boolean newest) {
        if (scope.empty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT seq, entry FROM audit_log WHERE seq IS NOT NULL");
        List<Object> args = new ArrayList<>();
        if (f.after() != null && !newest) {
            sql.append(" AND seq > ?");
            args.add(f.after());
        }
        if (f.pkg() != null) {
            sql.append(" AND target = ?");
            args.add("package:" + f.pkg());
        }
        if (f.actor() != null) {
            sql.append(" AND actor = ?");
            args.add(f.actor());
        }
        if (f.actionPrefix()) {
            // package. ≤ action < package/ : every action of the family, through the index
            sql.append(" AND action >= ? AND action < ?");
            args.add(f.action());
            args.add(f.action().substring(0, f.action().length() - 1) + "/");
        } else if (f.action() != null) {
            sql.append(" AND action = ?");
            args.add(f.action());
        }
        if (f.since() != null) {
            sql.append(" AND at >= ?");
            args.add(f.since());
        }
        if (f.until() != null) {
            sql.append(" AND at < ?");
            args.add(f.until());
        }
        if (!scope.all()) {
            List<String> alternatives = new ArrayList<>();
            if (!scope.targets().isEmpty()) {
                alternatives.add("target IN ("
                        + String.join(
                                ", ",
                                java.util.Collections.nCopies(scope.targets().size(), "?")) + ")");
                args.addAll(scope.targets());
            }
            for (String p : scope.prefixes()) {
                // p ≤ target < p with its last character (':') raised by one (';')
                alternatives.add("(target >= ? AND target < ?)");
                args.add(p);
                args.add(p.substring(0, p.length() - 1) + (char) (p.charAt(p.length() - 1) + 1));
            }
            sql.append(" AND (").append(String.join(" OR ", alternatives)).append(')');
        }
        sql.append(newest ? " ORDER BY seq DESC" : " ORDER BY seq").append(" LIMIT ?");
        args.add(n);
        Query q = tx.handle().createQuery(sql.toString());
        for (int i = 0; i < args.size(); i++) {
            q.bind(i, args.get(i));
        }
        List<AuditEvent> out =
                new ArrayList<>(q.map((rs, c) -> LogEntries.event(rs.getLong("seq"), rs.getString("entry")))
                        .list());
        if (newest) {
            java.util.Collections.reverse(out);
        }
        return out;
    }
}
