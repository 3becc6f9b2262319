package dev.airlock.audit.export;

/**
 * A position in the export stream: the index of the last log entry delivered ({@code -1} before the first) and the
 * tree size of the last checkpoint delivered ({@code 0} before the first).
 */
public record Cursor(long seq, long checkpoint) {
    public static final Cursor START = new Cursor(-1, 0);

    /**
     * The position after entry {@code seq} for a reader that resumes there (the HTTP stream's {@code after=}): the
     * checkpoints up to that size went out with the entries before it.
     */
    public static Cursor after(long seq) {
        return new Cursor(seq, seq + 1);
    }
}
