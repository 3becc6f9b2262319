package dev.airlock.console.view;

import dev.airlock.review.ReleaseReview;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link ReleaseReview} as the console shows it: signals ordered high, medium, info (whatever their kind, so new
 * kinds show up by themselves), counts per level for the risk marker, and each diff split into numbered lines.
 */
public record ReviewView(
        ReleaseReview review, List<ReleaseReview.Signal> signals, long high, long medium, List<DiffFile> diffs) {
    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,\\d+)? \\+(\\d+)(?:,\\d+)? @@.*");

    /** {@code kind}: add | del | ctx | hunk | note. Line numbers are null where a side has no line. */
    public record DiffLine(String kind, Integer oldNo, Integer newNo, String text) {}

    public record DiffFile(String path, List<DiffLine> lines, long added, long removed) {}

    public static ReviewView of(ReleaseReview review) {
        List<ReleaseReview.Signal> sorted = review.signals().stream()
                .sorted(Comparator.comparingInt(s -> rank(s.level())))
                .toList();
        List<DiffFile> diffs = new ArrayList<>();
        for (Map.Entry<String, String> d : review.diffs().entrySet()) {
            diffs.add(diff(d.getKey(), d.getValue()));
        }
        return new ReviewView(review, sorted, count(review, "high"), count(review, "medium"), diffs);
    }

    /** The marker of a release: high when any signal is high, medium when any is medium, else quiet. */
    public String risk() {
        return risk(high, medium);
    }

    public static String risk(long high, long medium) {
        return high > 0 ? "high" : medium > 0 ? "medium" : "quiet";
    }

    private static long count(ReleaseReview review, String level) {
        return review.signals().stream().filter(s -> level.equals(s.level())).count();
    }

    private static int rank(String level) {
        return switch (level) {
            case "high" -> 0;
            case "medium" -> 1;
            default -> 2;
        };
    }

    static DiffFile diff(String path, String unified) {
        List<DiffLine> lines = new ArrayList<>();
        int oldNo = 0;
        int newNo = 0;
        long added = 0;
        long removed = 0;
        for (String line : unified.split("\n", -1)) {
            if (line.startsWith("--- ") || line.startsWith("+++ ")) {
                continue;
            }
            Matcher m = HUNK.matcher(line);
            if (m.matches()) {
                oldNo = Integer.parseInt(m.group(1));
                newNo = Integer.parseInt(m.group(2));
                lines.add(new DiffLine("hunk", null, null, line));
            } else if (line.startsWith("+")) {
                lines.add(new DiffLine("add", null, newNo++, line.substring(1)));
                added++;
            } else if (line.startsWith("-")) {
                lines.add(new DiffLine("del", oldNo++, null, line.substring(1)));
                removed++;
            } else if (line.startsWith(" ")) {
                lines.add(new DiffLine("ctx", oldNo++, newNo++, line.substring(1)));
            } else if (!line.isEmpty()) {
                lines.add(new DiffLine("note", null, null, line));
            }
        }
        return new DiffFile(path, lines, added, removed);
    }
}
