package dev.airlock.review;

import java.util.List;
import java.util.Map;

/**
 * What a staged version changes against the previous published version: risk signals first (a summary a reviewer
 * reads before anything else), then files added / removed / changed with sizes, and bounded diffs of changed text.
 *
 * <p>Strings a renderer prints are display forms: hidden, control and look-alike characters are written as
 * {@code ⟪U+202E⟫} (see {@link VisibleText}). Raw file paths appear only in {@link FileChange#path()}, for lookups;
 * {@code diffs} is keyed by {@link FileChange#display()}. {@code comparedBytes} is how much of each file the review
 * reads (sizes are always exact).
 */
public record ReleaseReview(
        String pkg,
        String version,
        String previous,
        List<Signal> signals,
        List<FileChange> files,
        Map<String, String> diffs,
        long sizeBefore,
        long sizeAfter,
        int filesBefore,
        int filesAfter,
        int comparedBytes,
        int diffsShown,
        int diffsOmitted) {

    /**
     * {@code level}: high | medium | info. {@code kind}: a stable key such as install-script or non-registry-dependency.
     * {@code message} is safe to print (every name in it is a display form). {@code subject}: the display form of the
     * file path the signal is about (a key of {@code diffs} / a {@link FileChange#display()}), or null.
     */
    public record Signal(String level, String kind, String message, String subject) {
        public Signal(String level, String kind, String message) {
            this(level, kind, message, null);
        }
    }

    /**
     * One file added, removed or changed. {@code change}: added | removed | changed. {@code path}: the raw path (never
     * print it); {@code display}: the path with hidden and look-alike characters escaped; {@code nameMarked}: the
     * path had such characters (a high signal names it). {@code diff}: shown | cut | omitted — cut means the diff in
     * the review's diffs map stops after {@link ReleaseReviewer#MAX_DIFF_LINES} lines. {@code omitted}: why no diff is shown
     * (a stable key: added, removed, binary, too-large, long-lines, file-limit, same-text), null when shown or cut.
     * {@code diffNote}: a sentence for the reader saying why the diff is omitted or where it was cut, null when the
     * whole diff is shown.
     */
    public record FileChange(
            String path,
            String change,
            long sizeBefore,
            long sizeAfter,
            String display,
            boolean nameMarked,
            String diff,
            String omitted,
            String diffNote) {}

    public boolean risky() {
        return signals.stream().anyMatch(s -> s.level().equals("high"));
    }
}
