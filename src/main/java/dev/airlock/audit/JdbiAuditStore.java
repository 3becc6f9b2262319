package dev.airlock.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

final class JdbiAuditStore implements AuditStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    @Override
    public AuditEvent last(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1")
                .map((rs, c) -> row(rs))
                .findOne()
                .orElse(null);
    }

    @Override
    public void append(Tx tx, AuditEvent e) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO audit_events (seq, at, actor, action, target, source, detail_json, prev_hash, hash)"
                                + " VALUES (:seq, :at, :actor, :action, :target, :source, :detail, :prev, :hash)")
                .bind("seq", e.seq())
                .bind("at", e.at())
                .bind("actor", e.actor())
                .bind("action", e.action())
                .bind("target", e.target())
                .bind("source", e.source())
                .bind("detail", Json.write(e.detail()))
                .bind("prev", e.prevHash())
                .bind("hash", e.hash())
                .execute();
    }

    @Override
    public List<AuditEvent> forTarget(Tx tx, String target) {
        return tx.handle()
                .createQuery("SELECT * FROM audit_events WHERE target = :t ORDER BY seq")
                .bind("t", target)
                .map((rs, c) -> row(rs))
                .list();
    }

    @Override
    public List<AuditEvent> all(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM audit_events ORDER BY seq")
                .map((rs, c) -> row(rs))
                .list();
    }

    private static AuditEvent row(ResultSet rs) throws SQLException {
        Map<String, Object> detail;
        try {
            detail = Json.MAPPER.readValue(rs.getString("detail_json"), MAP);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        return new AuditEvent(
                rs.getLong("seq"),
                rs.getLong("at"),
                rs.getString("actor"),
                rs.getString("action"),
                rs.getString("target"),
                rs.getString("source"),
                detail,
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }
}
