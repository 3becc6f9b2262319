package dev.airlock.review;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.airlock.platform.tarball.TarballReader.FileHead;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a changed file's diff is shown: {@code state} shown | cut | omitted, why it is omitted (a stable key), the
 * sentence for the reader, and the unified diff text (null when omitted).
 */
record FileDiff(String state, String omitted, String note, String text) {
    static FileDiff omit(String why, String note) {
        return new FileDiff("omitted", why, note, null);
    }

    static FileDiff of(
            String path,
            String shown,
            FileHead a,
            FileHead b,
            ContentChecks.Stats sa,
            ContentChecks.Stats sb,
            int diffed) {
        if (sa.binary() || sb.binary()) {
            return FileDiff.omit("binary", "Binary file: not diffed.");
        }
        if (a.size() > ReleaseReviewer.KEEP_BYTES || b.size() > ReleaseReviewer.KEEP_BYTES) {
            return FileDiff.omit(
                    "too-large",
                    "Larger than the " + ReleaseReviewer.human(ReleaseReviewer.KEEP_BYTES)
                            + " the review reads of each file: not diffed;" + " only sizes are compared.");
        }
        if (sa.longestLine() > ReleaseReviewer.MAX_DIFF_LINE_LENGTH
                || sb.longestLine() > ReleaseReviewer.MAX_DIFF_LINE_LENGTH) {
            return FileDiff.omit(
                    "long-lines",
                    "Has a line longer than " + ReleaseReviewer.count(ReleaseReviewer.MAX_DIFF_LINE_LENGTH)
                            + " characters (minified or" + " generated): not diffed.");
        }
        if (diffed >= ReleaseReviewer.MAX_DIFF_FILES) {
            return FileDiff.omit(
                    "file-limit",
                    "Not diffed: only the first " + ReleaseReviewer.MAX_DIFF_FILES + " changed text files are diffed.");
        }
        List<String> before = lines(path, a);
        List<String> after = lines(path, b);
        Patch<String> patch = DiffUtils.diff(before, after);
        if (patch.getDeltas().isEmpty()) {
            return FileDiff.omit(
                    "same-text", "The bytes differ but read as the same text (bytes that are not UTF-8): not diffed.");
        }
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff("a/" + shown, "b/" + shown, before, patch, 3);
        if (lines.size() <= ReleaseReviewer.MAX_DIFF_LINES) {
            return new FileDiff("shown", null, null, String.join("\n", lines));
        }
        int more = lines.size() - ReleaseReviewer.MAX_DIFF_LINES;
        List<String> cut = new ArrayList<>(lines.subList(0, ReleaseReviewer.MAX_DIFF_LINES));
        cut.add("… " + more + " more lines not shown");
        return new FileDiff(
                "cut",
                null,
                "Diff cut after " + ReleaseReviewer.MAX_DIFF_LINES + " lines: " + ReleaseReviewer.count(more)
                        + " more lines not shown.",
                String.join("\n", cut));
    }

    /**
     * The file's lines with hidden characters made visible (the escaping is one-to-one, so the diff is the same); in a
     * package.json look-alike letters too, since its lines are names: dependencies, scripts, bin.
     */
    private static List<String> lines(String path, FileHead f) {
        boolean manifest = path.equals("package.json") || path.endsWith("/package.json");
        return Arrays.stream(new String(f.head(), StandardCharsets.UTF_8).split("\n", -1))
                .map(manifest ? VisibleText::show : VisibleText::content)
                .toList();
    }
}
