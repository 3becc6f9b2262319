package dev.airlock.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.platform.tarball.TarballReader.FileHead;
import dev.airlock.platform.tarball.TarballRefusedException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Computes a {@link ReleaseReview} from two tarballs and their manifests. Pure: no I/O beyond the given streams. */
public final class ReleaseReviewer {
    /** How much of each file the review reads; a larger file is compared by size only and never diffed. */
    static final int KEEP_BYTES = 256 * 1024;

    static final int MAX_DIFF_FILES = 40;
    static final int MAX_DIFF_LINES = 400;
    /** A file with a longer line is not diffed (a diff of one huge line helps nobody). */
    static final int MAX_DIFF_LINE_LENGTH = 2_000;
    /** A changed file that grows at least this many times … */
    static final int FILE_GROWTH_FACTOR = 10;
    /** … and by more than this many bytes raises a file-size signal. */
    static final long FILE_GROWTH_MIN_BYTES = 50 * 1024;
    /** The unpacked package doubling … */
    static final int TOTAL_GROWTH_FACTOR = 2;
    /** … and growing by more than this many bytes raises a size signal; */
    static final long TOTAL_GROWTH_MIN_BYTES = 100_000;
    /** so does growing at least this many times … */
    static final int TOTAL_JUMP_FACTOR = 10;
    /** … by more than this many bytes (a small package that suddenly carries a payload); */
    static final long TOTAL_JUMP_MIN_BYTES = 16 * 1024;
    /** and so does growing by this many bytes whatever the ratio. */
    static final long TOTAL_GROWTH_ALWAYS_BYTES = 5 * 1024 * 1024;

    private ReleaseReviewer() {}

    /** Where a dependency spec installs from, as npm's --allow-git / --allow-remote / --allow-file / link gate it. */
    static String source(String spec) {
        return ManifestSignals.source(spec);
    }

    public static ReleaseReview review(
            String pkg,
            String version,
            JsonNode manifest,
            InputStream tarball,
            String previous,
            JsonNode previousManifest,
            InputStream previousTarball) {
        List<ReleaseReview.Signal> signals = new ArrayList<>();
        Map<String, FileHead> after = heads(
                tarball,
                signals,
                "high",
                "The staged tarball is refused by the tarball reader"
                        + " (%s), so what npm would install cannot be shown. Reject it and publish it again.");
        Map<String, FileHead> before = previousTarball == null
                ? Map.of()
                : heads(
                        previousTarball,
                        signals,
                        "medium",
                        "The tarball of version " + previous + " cannot be read (%s): every file is shown as new.");
        if (previous == null) {
            signals.add(new ReleaseReview.Signal(
                    "info",
                    "first-version",
                    "First version of this package: nothing to compare with;" + " every file is new."));
        }
        ManifestSignals.all(manifest, previousManifest, signals);

        Map<String, ContentChecks.Stats> statsBefore = new HashMap<>();
        before.forEach((path, f) -> statsBefore.put(path, ContentChecks.of(path, f.head())));
        boolean hadMinified = statsBefore.values().stream().anyMatch(ContentChecks.Stats::minified);
        String noMinifiedBefore =
                previous != null && !hadMinified ? "; version " + previous + " had no minified code" : "";
        List<ReleaseReview.FileChange> files = new ArrayList<>();
        Map<String, String> diffs = new LinkedHashMap<>();
        int omitted = 0;
        // package.json first, so the manifest's diff is never the one left out by MAX_DIFF_FILES
        Set<String> paths = new TreeSet<>(
                Comparator.comparing((String p) -> !p.equals("package.json")).thenComparing(Comparator.naturalOrder()));
        paths.addAll(before.keySet());
        paths.addAll(after.keySet());
        for (String path : paths) {
            FileHead a = before.get(path);
            FileHead b = after.get(path);
            VisibleText.Shown name = VisibleText.name(path);
            String shown = name.display();
            if (b != null) {
                ManifestSignals.marked("File name", path, shown, signals);
            }
            if (a == null) {
                files.add(new ReleaseReview.FileChange(
                        path,
                        "added",
                        0,
                        b.size(),
                        shown,
                        name.marked(),
                        "omitted",
                        "added",
                        "New file: not diffed (the signals above cover its contents)."));
                omitted++;
                added(shown, path, b, ContentChecks.of(path, b.head()), noMinifiedBefore, signals);
            } else if (b == null) {
                files.add(new ReleaseReview.FileChange(
                        path,
                        "removed",
                        a.size(),
                        0,
                        shown,
                        name.marked(),
                        "omitted",
                        "removed",
                        "Removed file: not diffed."));
                omitted++;
            } else if (!a.sameAs(b)) {
                ContentChecks.Stats sa = statsBefore.get(path);
                ContentChecks.Stats sb = ContentChecks.of(path, b.head());
                FileDiff d = FileDiff.of(path, shown, a, b, sa, sb, diffs.size());
                if (d.text() != null) {
                    diffs.put(shown, d.text());
                } else {
                    omitted++;
                }
                files.add(new ReleaseReview.FileChange(
                        path, "changed", a.size(), b.size(), shown, name.marked(), d.state(), d.omitted(), d.note()));
                changed(shown, a, b, sa, sb, noMinifiedBefore, signals);
            }
        }
        long sizeBefore = before.values().stream().mapToLong(FileHead::size).sum();
        long sizeAfter = after.values().stream().mapToLong(FileHead::size).sum();
        if (previous != null && sizeJump(sizeBefore, sizeAfter)) {
            signals.add(new ReleaseReview.Signal(
                    "medium",
                    "size",
                    "Unpacked size grows from " + human(sizeBefore) + " to " + human(sizeAfter)
                            + times(sizeBefore, sizeAfter) + "."));
        }
        signals.sort(
                Comparator.comparingInt(s -> List.of("high", "medium", "info").indexOf(s.level())));
        return new ReleaseReview(
                pkg,
                version,
                previous,
                List.copyOf(signals),
                List.copyOf(files),
                diffs,
                sizeBefore,
                sizeAfter,
                before.size(),
                after.size(),
                KEEP_BYTES,
                diffs.size(),
                omitted);
    }

    /**
     * The files of a stored tarball. One staged or published before the reader became stricter may now be refused: the
     * review then says so as a signal (kind {@code unreadable-tarball}) rather than failing.
     */
    private static Map<String, FileHead> heads(
            InputStream tgz, List<ReleaseReview.Signal> signals, String level, String message) {
        try {
            return TarballReader.heads(tgz, TarballReader.Limits.STORED, KEEP_BYTES);
        } catch (TarballRefusedException e) {
            signals.add(new ReleaseReview.Signal(
                    level, "unreadable-tarball", String.format(message, VisibleText.show(e.reason()))));
            return Map.of();
        }
    }

    static boolean sizeJump(long before, long after) {
        long growth = after - before;
        return after > TOTAL_GROWTH_FACTOR * before && growth > TOTAL_GROWTH_MIN_BYTES
                || after >= TOTAL_JUMP_FACTOR * before && growth > TOTAL_JUMP_MIN_BYTES
                || growth >= TOTAL_GROWTH_ALWAYS_BYTES;
    }

    private static void added(
            String shown,
            String path,
            FileHead f,
            ContentChecks.Stats s,
            String noMinifiedBefore,
            List<ReleaseReview.Signal> out) {
        if (path.equals("binding.gyp")) {
            out.add(new ReleaseReview.Signal(
                    "high", "native-build", "Adds binding.gyp: a native build runs on install.", shown));
        } else if (s.binary()) {
            out.add(new ReleaseReview.Signal(
                    "high", "binary-file", "Adds a binary file: " + shown + " (" + human(f.size()) + ").", shown));
        } else if (s.minified()) {
            out.add(new ReleaseReview.Signal(
                    "medium",
                    "minified-file",
                    "Adds a minified file that is hard to review: " + shown + noMinifiedBefore + ".",
                    shown));
        } else if (s.longLines()) {
            out.add(new ReleaseReview.Signal(
                    "medium",
                    "long-line",
                    "Adds " + shown + ", which has a line of " + count(s.longestLine())
                            + " characters (generated or packed content).",
                    shown));
        }
        if (s.payload() != null) {
            out.add(new ReleaseReview.Signal(
                    "medium", "high-entropy", "Adds " + shown + ", which contains " + s.payload() + ".", shown));
        }
        if (s.bidiControls() > 0) {
            out.add(bidi(shown, s.bidiControls()));
        }
    }

    private static void changed(
            String shown,
            FileHead a,
            FileHead b,
            ContentChecks.Stats sa,
            ContentChecks.Stats sb,
            String noMinifiedBefore,
            List<ReleaseReview.Signal> out) {
        if (shown.equals("binding.gyp")) {
            out.add(new ReleaseReview.Signal(
                    "medium", "native-build", "Changes binding.gyp: the native build that runs on install.", shown));
        }
        if (!sa.binary() && sb.binary()) {
            out.add(new ReleaseReview.Signal(
                    "high", "binary-file", "Turns " + shown + " into a binary file (" + human(b.size()) + ").", shown));
        } else if (sa.binary() && sb.binary()) {
            out.add(new ReleaseReview.Signal(
                    "medium",
                    "binary-file",
                    "Changes the binary file " + shown + " (" + human(a.size()) + " → " + human(b.size())
                            + "); binary content cannot be reviewed here.",
                    shown));
        } else if (sb.minified() && !sa.minified()) {
            out.add(new ReleaseReview.Signal(
                    "high",
                    "minified-file",
                    "Turns " + shown + " into minified code (a line of " + count(sb.longestLine()) + " characters)"
                            + noMinifiedBefore + ".",
                    shown));
        } else if (sb.longLines() && !sa.longLines()) {
            out.add(new ReleaseReview.Signal(
                    "high",
                    "long-line",
                    shown + " now has a line of " + count(sb.longestLine()) + " characters; it had none over "
                            + count(ContentChecks.LONG_LINE) + ".",
                    shown));
        }
        if (sb.payload() != null && sa.payload() == null) {
            out.add(new ReleaseReview.Signal(
                    "high", "high-entropy", shown + " now contains " + sb.payload() + ".", shown));
        }
        if (sb.bidiControls() > sa.bidiControls()) {
            out.add(bidi(shown, sb.bidiControls()));
        }
        if (b.size() >= FILE_GROWTH_FACTOR * a.size() && b.size() - a.size() > FILE_GROWTH_MIN_BYTES) {
            out.add(new ReleaseReview.Signal(
                    "medium",
                    "file-size",
                    shown + " grows from " + human(a.size()) + " to " + human(b.size()) + times(a.size(), b.size())
                            + ".",
                    shown));
        }
    }

    private static ReleaseReview.Signal bidi(String shown, int n) {
        return new ReleaseReview.Signal(
                "high",
                "bidi-content",
                shown + " contains " + n + " bidi control character" + (n == 1 ? "" : "s")
                        + ", which can make code read differently from how it runs (shown as ⟪U+…⟫ in the diff).",
                shown);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        return bytes < 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    private static String times(long before, long after) {
        return before == 0 ? "" : String.format(Locale.ROOT, " (×%,.0f)", (double) after / before);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
