package dev.airlock.notifications;

import java.util.Map;

/** A stored notification: what {@link Notification} said, with its id and time. */
record Message(
        String id,
        String kind,
        String severity,
        String subject,
        String body,
        Map<String, Object> data,
        String dedupKey,
        long createdAt) {}
