package dev.airlock.review;

import java.util.List;
import java.util.Map;

/**
 * What a staged version changes against the previous published version: risk signals first (a summary a reviewer
 * reads before anything else), then files added / removed / changed with sizes, and bounded diffs of changed text.
 */
public record ReleaseReview(String pkg, String version, String previous, List<Signal> signals, List<FileChange> files,
                            Map<String, String> diffs, long sizeBefore, long sizeAfter, int filesBefore, int filesAfter) {

    /** {@code level}: high | medium | info. {@code kind}: a stable key such as install-script or non-registry-dependency. */
    public record Signal(String level, String kind, String message) {
    }

    /** {@code change}: added | removed | changed. */
    public record FileChange(String path, String change, long sizeBefore, long sizeAfter) {
    }

    public boolean risky() {
        return signals.stream().anyMatch(s -> s.level().equals("high"));
    }
}
