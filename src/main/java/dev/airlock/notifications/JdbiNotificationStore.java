package dev.airlock.notifications;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Rows;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

final class JdbiNotificationStore implements NotificationStore {
    private static final String DELIVERY_COLUMNS = "SELECT d.id, d.message_id, m.kind, m.subject, d.channel, d.target,"
            + " d.status, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at, d.created_at"
            + " FROM notification_deliveries d JOIN notification_messages m ON m.id = d.message_id";

    @Override
    public void insertMessage(Tx tx, Message m) {
        tx.handle()
                .createUpdate("INSERT INTO notification_messages (id, kind, severity, subject, body, data, dedup_key,"
                        + " created_at) VALUES (:id, :kind, :severity, :subject, :body, :data, :dedup, :at)")
                .bind("id", m.id())
                .bind("kind", m.kind())
                .bind("severity", m.severity())
                .bind("subject", m.subject())
                .bind("body", m.body())
                .bind("data", Json.write(m.data()))
                .bind("dedup", m.dedupKey())
                .bind("at", m.createdAt())
                .execute();
    }

    @Override
    public void insertDelivery(Tx tx, String id, String messageId, String channel, String target, long now) {
        tx.handle()
                .createUpdate("INSERT INTO notification_deliveries (id, message_id, channel, target, destination,"
                        + " status, attempts, next_attempt_at, created_at)"
                        + " VALUES (:id, :m, :c, :t, :dest, 'pending', 0, :now, :now)")
                .bind("id", id)
                .bind("m", messageId)
                .bind("c", channel)
                .bind("t", target)
                .bind("dest", Delivery.destination(channel, target))
                .bind("now", now)
                .execute();
    }

    @Override
    public List<Delivery> due(Tx tx, long now, int limit) {
        return tx.handle()
                .createQuery(DELIVERY_COLUMNS + " WHERE d.status = 'pending' AND d.next_attempt_at <= :now"
                        + " AND (d.claimed_until IS NULL OR d.claimed_until < :now)"
                        + " AND NOT EXISTS (SELECT 1 FROM notification_targets t WHERE t.target = d.destination"
                        + " AND t.disabled_at IS NOT NULL)"
                        + " ORDER BY d.next_attempt_at, d.created_at LIMIT :limit")
                .bind("now", now)
                .bind("limit", limit)
                .map((rs, ctx) -> delivery(rs))
                .list();
    }

    @Override
    public boolean claim(Tx tx, String id, String node, long now, long until) {
        return tx.handle()
                        .createUpdate("UPDATE notification_deliveries SET claimed_by = :node, claimed_until = :until"
                                + " WHERE id = :id AND status = 'pending'"
                                + " AND (claimed_until IS NULL OR claimed_until < :now)")
                        .bind("node", node)
                        .bind("until", until)
                        .bind("id", id)
                        .bind("now", now)
                        .execute()
                == 1;
    }

    @Override
    public Delivery delivery(Tx tx, String id) {
        return tx.handle()
                .createQuery(DELIVERY_COLUMNS + " WHERE d.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> delivery(rs))
                .findOne()
                .orElse(null);
    }

    @Override
    public Message message(Tx tx, String id) {
        return tx.handle()
                .createQuery("SELECT id, kind, severity, subject, body, data, dedup_key, created_at"
                        + " FROM notification_messages WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Message(
                        rs.getString("id"),
                        rs.getString("kind"),
                        rs.getString("severity"),
                        rs.getString("subject"),
                        rs.getString("body"),
                        Json.MAPPER.convertValue(
                                Json.parse(rs.getString("data")), new TypeReference<Map<String, Object>>() {}),
                        rs.getString("dedup_key"),
                        rs.getLong("created_at")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void delivered(Tx tx, String id, String node, long now) {
        tx.handle()
                .createUpdate("UPDATE notification_deliveries SET status = 'delivered', attempts = attempts + 1,"
                        + " delivered_at = :now, last_error = NULL, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = :id AND claimed_by = :node")
                .bind("id", id)
                .bind("node", node)
                .bind("now", now)
                .execute();
    }

    @Override
    public void failed(Tx tx, String id, String node, String error, long nextAttemptAt, boolean giveUp) {
        tx.handle()
                .createUpdate("UPDATE notification_deliveries SET status = :status, attempts = attempts + 1,"
                        + " last_error = :error, next_attempt_at = :next, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = :id AND claimed_by = :node")
                .bind("status", giveUp ? "failed" : "pending")
                .bind("error", error)
                .bind("next", nextAttemptAt)
                .bind("id", id)
                .bind("node", node)
                .execute();
    }

    @Override
    public void destinationFailed(Tx tx, String destination, String error, int disableAfter, long now) {
        tx.handle()
                .createUpdate("INSERT INTO notification_targets (target, failures, disabled_at, last_error, updated_at)"
                        + " VALUES (:t, 1, CASE WHEN 1 >= :limit THEN :now END, :error, :now)"
                        + " ON CONFLICT (target) DO UPDATE SET failures = notification_targets.failures + 1,"
                        + " disabled_at = CASE WHEN notification_targets.disabled_at IS NOT NULL"
                        + " THEN notification_targets.disabled_at"
                        + " WHEN notification_targets.failures + 1 >= :limit THEN :now END,"
                        + " last_error = :error, updated_at = :now")
                .bind("t", destination)
                .bind("limit", disableAfter)
                .bind("now", now)
                .bind("error", error)
                .execute();
    }

    @Override
    public void destinationSucceeded(Tx tx, String destination, long now) {
        tx.handle()
                .createUpdate("UPDATE notification_targets SET failures = 0, updated_at = :now"
                        + " WHERE target = :t AND failures > 0")
                .bind("t", destination)
                .bind("now", now)
                .execute();
    }

    @Override
    public Destination destination(Tx tx, String destination) {
        return tx.handle()
                .createQuery("SELECT target, failures, disabled_at, last_error FROM notification_targets"
                        + " WHERE target = :t")
                .bind("t", destination)
                .map((rs, ctx) -> new Destination(
                        rs.getString("target"),
                        null,
                        rs.getInt("failures"),
                        Rows.nullableLong(rs, "disabled_at"),
                        rs.getString("last_error")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void enable(Tx tx, String destination, long now) {
        tx.handle()
                .createUpdate("UPDATE notification_targets SET failures = 0, disabled_at = NULL, updated_at = :now"
                        + " WHERE target = :t")
                .bind("t", destination)
                .bind("now", now)
                .execute();
        tx.handle()
                .createUpdate("UPDATE notification_deliveries SET next_attempt_at = :now"
                        + " WHERE destination = :t AND status = 'pending'")
                .bind("t", destination)
                .bind("now", now)
                .execute();
    }

    @Override
    public boolean retry(Tx tx, String id, long now) {
        return tx.handle()
                        .createUpdate("UPDATE notification_deliveries SET status = 'pending', attempts = 0,"
                                + " next_attempt_at = :now, claimed_by = NULL, claimed_until = NULL"
                                + " WHERE id = :id AND status IN ('pending', 'failed')")
                        .bind("id", id)
                        .bind("now", now)
                        .execute()
                == 1;
    }

    @Override
    public List<Delivery> recent(Tx tx, int limit) {
        return tx.handle()
                .createQuery(DELIVERY_COLUMNS + " ORDER BY d.created_at DESC, d.id LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> delivery(rs))
                .list();
    }

    @Override
    public String phrase(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT anti_phishing_phrase FROM user_mail_settings WHERE user_name = :u")
                .bind("u", user)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public void setPhrase(Tx tx, String user, String phrase, long now) {
        tx.handle()
                .createUpdate("DELETE FROM user_mail_settings WHERE user_name = :u")
                .bind("u", user)
                .execute();
        if (phrase != null) {
            tx.handle()
                    .createUpdate("INSERT INTO user_mail_settings (user_name, anti_phishing_phrase, updated_at)"
                            + " VALUES (:u, :p, :now)")
                    .bind("u", user)
                    .bind("p", phrase)
                    .bind("now", now)
                    .execute();
        }
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(
                rs.getString("id"),
                rs.getString("message_id"),
                rs.getString("kind"),
                rs.getString("subject"),
                rs.getString("channel"),
                rs.getString("target"),
                rs.getString("status"),
                rs.getInt("attempts"),
                rs.getLong("next_attempt_at"),
                rs.getString("last_error"),
                Rows.nullableLong(rs, "delivered_at"),
                rs.getLong("created_at"));
    }
}
