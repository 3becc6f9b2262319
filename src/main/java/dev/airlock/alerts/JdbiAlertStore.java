package dev.airlock.alerts;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** The alerts table, the rules' cursor in the audit log and the publishers seen per package (V22). */
final class JdbiAlertStore {
    /** A sequenced log entry as the rules read it. */
    record Event(long seq, long at, String action, String outcome, String target, JsonNode entry) {}

    /** Inserts a firing alert unless the rule already has this case; true when this call inserted it. */
    boolean insert(Tx tx, Alert a) {
        return tx.handle()
                        .createUpdate("INSERT INTO alerts (id, rule, case_key, target, level, state, fired_at, detail)"
                                + " VALUES (:id, :rule, :case, :target, :level, 'firing', :at, :detail)"
                                + " ON CONFLICT (rule, case_key) DO NOTHING")
                        .bind("id", a.id())
                        .bind("rule", a.rule())
                        .bind("case", a.caseKey())
                        .bind("target", a.target())
                        .bind("level", a.level())
                        .bind("at", a.firedAt())
                        .bind("detail", Json.write(a.detail()))
                        .execute()
                == 1;
    }

    /** A resolved case fires again (a new burst); true when this call re-opened it. */
    boolean reopen(Tx tx, String rule, String caseKey, String level, long at, Map<String, Object> detail) {
        return tx.handle()
                        .createUpdate("UPDATE alerts SET state = 'firing', level = :level, fired_at = :at,"
                                + " resolved_at = NULL, resolved_by = NULL, detail = :detail"
                                + " WHERE rule = :rule AND case_key = :case AND state = 'resolved'")
                        .bind("rule", rule)
                        .bind("case", caseKey)
                        .bind("level", level)
                        .bind("at", at)
                        .bind("detail", Json.write(detail))
                        .execute()
                == 1;
    }

    /** Raises a firing alert from level {@code from} to {@code to}; true when this call did. */
    boolean raise(Tx tx, String id, String from, String to, Map<String, Object> detail) {
        return tx.handle()
                        .createUpdate("UPDATE alerts SET level = :to, detail = :detail WHERE id = :id AND level = :from"
                                + " AND state = 'firing'")
                        .bind("id", id)
                        .bind("detail", Json.write(detail))
                        .bind("from", from)
                        .bind("to", to)
                        .execute()
                == 1;
    }

    /** Resolves a firing alert; true when this call did. */
    boolean resolve(Tx tx, String id, long at, String by) {
        return tx.handle()
                        .createUpdate("UPDATE alerts SET state = 'resolved', resolved_at = :at, resolved_by = :by"
                                + " WHERE id = :id AND state = 'firing'")
                        .bind("id", id)
                        .bind("at", at)
                        .bind("by", by)
                        .execute()
                == 1;
    }

    Alert find(Tx tx, String rule, String caseKey) {
        return tx.handle()
                .createQuery("SELECT * FROM alerts WHERE rule = :rule AND case_key = :case")
                .bind("rule", rule)
                .bind("case", caseKey)
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    Alert find(Tx tx, String id) {
        return tx.handle()
                .createQuery("SELECT * FROM alerts WHERE id = :id")
                .bind("id", id)
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    /** Firing alerts of one rule. */
    List<Alert> firing(Tx tx, String rule) {
        return tx.handle()
                .createQuery("SELECT * FROM alerts WHERE state = 'firing' AND rule = :rule ORDER BY fired_at, id")
                .bind("rule", rule)
                .map((rs, c) -> row(rs))
                .list();
    }

    /** Alerts, newest first; only the firing ones unless {@code all}. */
    List<Alert> list(Tx tx, boolean all, int limit) {
        return tx.handle()
                .createQuery("SELECT * FROM alerts" + (all ? "" : " WHERE state = 'firing'")
                        + " ORDER BY fired_at DESC, id LIMIT :n")
                .bind("n", limit)
                .map((rs, c) -> row(rs))
                .list();
    }

    long cursor(Tx tx) {
        return tx.handle()
                .createQuery("SELECT seq FROM alert_cursor WHERE name = 'events'")
                .mapTo(Long.class)
                .findOne()
                .orElse(-1L);
    }

    void saveCursor(Tx tx, long seq, long at) {
        int updated = tx.handle()
                .createUpdate("UPDATE alert_cursor SET seq = :seq, updated_at = :at WHERE name = 'events'")
                .bind("seq", seq)
                .bind("at", at)
                .execute();
        if (updated == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO alert_cursor (name, seq, updated_at) VALUES ('events', :seq, :at)")
                    .bind("seq", seq)
                    .bind("at", at)
                    .execute();
        }
    }

    /** Sequenced entries after {@code seq}, in log order. */
    List<Event> events(Tx tx, long after, int limit) {
        return tx.handle()
                .createQuery("SELECT seq, at, action, outcome, target, entry FROM audit_log WHERE seq > :after"
                        + " ORDER BY seq LIMIT :n")
                .bind("after", after)
                .bind("n", limit)
                .map((rs, c) -> new Event(
                        rs.getLong("seq"),
                        rs.getLong("at"),
                        rs.getString("action"),
                        rs.getString("outcome"),
                        rs.getString("target"),
                        Json.parse(rs.getString("entry"))))
                .list();
    }

    /** Failures of these actions since {@code since}, counted per action. */
    Map<String, Integer> failures(Tx tx, List<String> actions, long since) {
        Map<String, Integer> out = new java.util.HashMap<>();
        tx.handle()
                .createQuery("SELECT action, COUNT(*) AS n FROM audit_log WHERE at >= :since AND outcome = 'failure'"
                        + " AND action IN (<actions>) GROUP BY action")
                .bindList("actions", actions)
                .bind("since", since)
                .map((rs, c) -> Map.entry(rs.getString("action"), rs.getInt("n")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Entries of {@code action} about {@code target} since {@code since} (e.g. package.owners of a package). */
    List<JsonNode> recent(Tx tx, String action, String target, long since) {
        return tx.handle()
                .createQuery("SELECT entry FROM audit_log WHERE target = :target AND action = :action"
                        + " AND at >= :since AND outcome = 'success' ORDER BY at")
                .bind("target", target)
                .bind("action", action)
                .bind("since", since)
                .map((rs, c) -> Json.parse(rs.getString(1)))
                .list();
    }

    boolean anyPublisher(Tx tx, String pkg) {
        return tx.handle()
                .createQuery("SELECT 1 FROM alert_publishers WHERE package = :p LIMIT 1")
                .bind("p", pkg)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    /** Records a publisher of a package; true when it was not known before. */
    boolean addPublisher(Tx tx, String pkg, String identity, long at) {
        return tx.handle()
                        .createUpdate("INSERT INTO alert_publishers (package, identity, first_seen)"
                                + " VALUES (:p, :i, :at) ON CONFLICT (package, identity) DO NOTHING")
                        .bind("p", pkg)
                        .bind("i", identity)
                        .bind("at", at)
                        .execute()
                == 1;
    }

    private static Alert row(ResultSet rs) throws SQLException {
        long resolved = rs.getLong("resolved_at");
        Long resolvedAt = rs.wasNull() ? null : resolved;
        return new Alert(
                rs.getString("id"),
                rs.getString("rule"),
                rs.getString("case_key"),
                rs.getString("target"),
                rs.getString("level"),
                rs.getString("state"),
                rs.getLong("fired_at"),
                resolvedAt,
                rs.getString("resolved_by"),
                Json.MAPPER.convertValue(
                        Json.parse(rs.getString("detail")), new TypeReference<Map<String, Object>>() {}));
    }
}
