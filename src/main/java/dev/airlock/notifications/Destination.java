package dev.airlock.notifications;

/**
 * A place deliveries go (a configured webhook, or the SMTP server for every mail): failures in a row, and when it
 * was disabled for failing too often (null = enabled). An admin re-enables it in the console.
 */
public record Destination(String name, String description, int failures, Long disabledAt, String lastError) {
    public boolean disabled() {
        return disabledAt != null;
    }
}
