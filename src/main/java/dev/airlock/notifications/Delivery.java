package dev.airlock.notifications;

/**
 * One message on its way to one destination, as the delivery log shows it. {@code channel}: webhook or email;
 * {@code target}: the webhook's name or the user's; {@code status}: pending, delivered or failed (gave up).
 */
public record Delivery(
        String id,
        String messageId,
        String kind,
        String subject,
        String channel,
        String target,
        String status,
        int attempts,
        long nextAttemptAt,
        String lastError,
        Long deliveredAt,
        long createdAt) {
    /** The destination whose failures count together: {@code webhook:NAME}, or {@code email} (the SMTP server). */
    public String destination() {
        return destination(channel, target);
    }

    static String destination(String channel, String target) {
        return channel.equals("webhook") ? "webhook:" + target : "email";
    }
}
