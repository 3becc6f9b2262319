package dev.airlock.notifications;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message to send: its {@code kind} ({@code stage.created}, {@code alert.fired}, {@code alert.resolved} …, which
 * webhooks filter on), a one-line {@code subject}, a plain-text {@code body} (never a link or code that approves
 * anything: mail adds the recipient's anti-phishing phrase and where approval happens), structured {@code data}
 * (package, version, stage id, alert rule … sent to webhooks as JSON), a {@code severity} (info, warning, error,
 * critical), the user names that receive it by mail, and a {@code dedupKey}: the case it is about, so a PagerDuty
 * "resolve" closes the incident its "trigger" opened (null = the message's own id).
 */
public record Notification(
        String kind,
        String severity,
        String subject,
        String body,
        Map<String, Object> data,
        List<String> recipients,
        String dedupKey) {
    public static final List<String> SEVERITIES = List.of("info", "warning", "error", "critical");

    public Notification {
        Objects.requireNonNull(kind, "kind");
        if (!kind.matches("[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)+") || kind.length() > 60) {
            throw new IllegalArgumentException("a notification kind is dotted lower-case words: " + kind);
        }
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("severity must be one of " + SEVERITIES + ": " + severity);
        }
        if (subject == null || subject.isBlank() || subject.contains("\n") || subject.contains("\r")) {
            throw new IllegalArgumentException("a notification subject is one non-empty line");
        }
        Objects.requireNonNull(body, "body");
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data == null ? Map.of() : data));
        recipients = List.copyOf(recipients == null ? List.of() : recipients);
    }

    /** A notification with no mail recipients and its own id as dedup key; add them with the withers. */
    public static Notification of(String kind, String severity, String subject, String body, Map<String, ?> data) {
        return new Notification(kind, severity, subject, body, new LinkedHashMap<>(data), List.of(), null);
    }

    public Notification to(List<String> users) {
        return new Notification(kind, severity, subject, body, data, users, dedupKey);
    }

    public Notification dedupKey(String key) {
        return new Notification(kind, severity, subject, body, data, recipients, key);
    }
}
