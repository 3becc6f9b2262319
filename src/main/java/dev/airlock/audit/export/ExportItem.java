package dev.airlock.audit.export;

/**
 * One record of the export stream: a log entry or a checkpoint as one ECS JSON object ({@code json}, no newline),
 * with what syslog's header needs ({@code at}, {@code action}, {@code failure}) and the position after it.
 * {@code seq} is the entry's index, or -1 for a checkpoint (whose tree size is {@code after().checkpoint()}).
 */
public record ExportItem(long seq, long at, String action, boolean failure, String json, Cursor after) {
    public boolean checkpoint() {
        return seq < 0;
    }
}
