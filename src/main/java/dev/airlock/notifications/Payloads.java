package dev.airlock.notifications;

import dev.airlock.platform.config.NotificationsConfig.Webhook;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON a webhook receives: Airlock's generic shape, or a PagerDuty Events API v2 event (docs/notifications.md). */
final class Payloads {
    private Payloads() {}

    static Map<String, Object> body(Webhook hook, Message m, String deliveryId, String source) {
        return hook.format().equals("pagerduty") ? pagerDuty(hook, m, source) : generic(m, deliveryId, source);
    }

    static Map<String, Object> generic(Message m, String deliveryId, String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("delivery", deliveryId);
        out.put("kind", m.kind());
        out.put("severity", m.severity());
        out.put("subject", m.subject());
        out.put("text", m.body());
        out.put("data", m.data());
        out.put("dedupKey", m.dedupKey());
        out.put("createdAt", Instant.ofEpochMilli(m.createdAt()).toString());
        out.put("source", source);
        return out;
    }

    /**
     * PagerDuty Events v2: kinds ending in {@code .resolved} resolve, others trigger; {@code dedup_key} is the case the
     * message is about, so the resolve closes the incident the trigger opened.
     */
    static Map<String, Object> pagerDuty(Webhook hook, Message m, String source) {
        Map<String, Object> details = new LinkedHashMap<>(m.data());
        details.put("kind", m.kind());
        details.put("text", m.body());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", m.subject().length() > 1024 ? m.subject().substring(0, 1024) : m.subject());
        payload.put("source", source);
        payload.put("severity", m.severity());
        payload.put("timestamp", Instant.ofEpochMilli(m.createdAt()).toString());
        payload.put("component", "airlock");
        payload.put("class", m.kind());
        payload.put("custom_details", details);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("routing_key", hook.routingKey());
        out.put("event_action", m.kind().endsWith(".resolved") ? "resolve" : "trigger");
        out.put("dedup_key", m.dedupKey());
        out.put("payload", payload);
        out.put("client", "Airlock");
        return out;
    }
}
