package dev.airlock.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Computes a {@link ReleaseReview} from two tarballs and their manifests. Pure: no I/O beyond the given streams. */
public final class ReleaseReviewer {
    static final int KEEP_BYTES = 256 * 1024;
    static final int MAX_DIFF_FILES = 40;
    static final int MAX_DIFF_LINES = 400;
    private static final List<String> INSTALL_SCRIPTS = List.of("preinstall", "install", "postinstall", "prepare");
    private static final List<String> DEPENDENCY_GROUPS = List.of("dependencies", "optionalDependencies", "peerDependencies",
            "devDependencies");
    private static final Set<String> BINARY_EXTENSIONS = Set.of(".node", ".exe", ".dll", ".so", ".dylib", ".wasm", ".bin",
            ".jar", ".class", ".o", ".a");
    private static final Pattern GIT_SHORTHAND = Pattern.compile("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?$");

    private ReleaseReviewer() {
    }

    /** Where a dependency spec installs from, as npm's --allow-git / --allow-remote / --allow-file / link gate it. */
    static String source(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.startsWith("git+") || s.startsWith("git:") || s.startsWith("git@") || s.startsWith("github:")
                || s.startsWith("gitlab:") || s.startsWith("bitbucket:") || s.startsWith("gist:") || GIT_SHORTHAND.matcher(s).matches()) {
            return "git";
        }
        if (s.startsWith("http://") || s.startsWith("https://")) {
            return "remote";
        }
        if (s.startsWith("file:") || s.startsWith("./") || s.startsWith("../") || s.startsWith("/") || s.startsWith("~/")) {
            return "file";
        }
        if (s.startsWith("link:")) {
            return "link";
        }
        return "registry";
    }

    public static ReleaseReview review(String pkg, String version, JsonNode manifest, InputStream tarball, String previous,
                                       JsonNode previousManifest, InputStream previousTarball) {
        Map<String, TarballFiles.File> after = TarballFiles.read(tarball, KEEP_BYTES);
        Map<String, TarballFiles.File> before = previousTarball == null ? Map.of() : TarballFiles.read(previousTarball, KEEP_BYTES);
        List<ReleaseReview.Signal> signals = new ArrayList<>();
        if (previous == null) {
            signals.add(new ReleaseReview.Signal("info", "first-version", "First version of this package: nothing to compare with;"
                    + " every file is new."));
        }
        scripts(manifest, previousManifest, signals);
        dependencies(manifest, previousManifest, signals);
        bin(manifest, previousManifest, signals);

        List<ReleaseReview.FileChange> files = new ArrayList<>();
        Map<String, String> diffs = new LinkedHashMap<>();
        Set<String> paths = new TreeSet<>(before.keySet());
        paths.addAll(after.keySet());
        for (String path : paths) {
            TarballFiles.File a = before.get(path);
            TarballFiles.File b = after.get(path);
            if (a == null) {
                files.add(new ReleaseReview.FileChange(path, "added", 0, b.size()));
                fileSignals(path, b, signals);
            } else if (b == null) {
                files.add(new ReleaseReview.FileChange(path, "removed", a.size(), 0));
            } else if (a.size() != b.size() || !Arrays.equals(a.head(), b.head())) {
                files.add(new ReleaseReview.FileChange(path, "changed", a.size(), b.size()));
                if (diffs.size() < MAX_DIFF_FILES && text(a) && text(b)) {
                    diffs.put(path, diff(path, a, b));
                }
                if (!binary(path, a) && binary(path, b)) {
                    fileSignals(path, b, signals);
                }
            }
        }
        long sizeBefore = before.values().stream().mapToLong(TarballFiles.File::size).sum();
        long sizeAfter = after.values().stream().mapToLong(TarballFiles.File::size).sum();
        if (previous != null && sizeAfter > 2 * sizeBefore && sizeAfter - sizeBefore > 100_000) {
            signals.add(new ReleaseReview.Signal("medium", "size", "Unpacked size grows from " + sizeBefore + " to " + sizeAfter
                    + " bytes."));
        }
        signals.sort(Comparator.comparingInt(s -> List.of("high", "medium", "info").indexOf(s.level())));
        return new ReleaseReview(pkg, version, previous, List.copyOf(signals), List.copyOf(files), diffs, sizeBefore, sizeAfter,
                before.size(), after.size());
    }

    private static void scripts(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        for (String name : INSTALL_SCRIPTS) {
            String a = text(before, "scripts", name);
            String b = text(now, "scripts", name);
            if (b != null && a == null) {
                out.add(new ReleaseReview.Signal("high", "install-script", "Adds a " + name + " script, which runs on install: " + b));
            } else if (b != null && !b.equals(a)) {
                out.add(new ReleaseReview.Signal("high", "install-script", "Changes the " + name + " script from \"" + a + "\" to \""
                        + b + "\"."));
            }
        }
    }

    private static void dependencies(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        for (String group : DEPENDENCY_GROUPS) {
            JsonNode deps = now.path(group);
            for (Iterator<String> it = deps.fieldNames(); it.hasNext(); ) {
                String dep = it.next();
                String spec = deps.get(dep).asText();
                String old = text(before, group, dep);
                String where = source(spec);
                boolean dev = group.equals("devDependencies");
                if (!Objects.equals(spec, old) && !where.equals("registry") && !dev) {
                    out.add(new ReleaseReview.Signal("high", "non-registry-dependency", group + " " + dep + " installs from "
                            + where + " (" + spec + "), not from the registry."));
                }
                if (old == null) {
                    out.add(new ReleaseReview.Signal(dev ? "info" : "medium", "dependency-added", "Adds " + group + " " + dep + "@" + spec + "."));
                } else if (!old.equals(spec)) {
                    out.add(new ReleaseReview.Signal("info", "dependency-changed", "Changes " + group + " " + dep + " from " + old
                            + " to " + spec + "."));
                }
            }
        }
    }

    private static void bin(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        JsonNode a = before == null ? null : before.get("bin");
        JsonNode b = now.get("bin");
        if (b != null && !b.equals(a)) {
            out.add(new ReleaseReview.Signal("medium", "bin", a == null ? "Adds executables (bin): " + b + "."
                    : "Changes executables (bin) from " + a + " to " + b + "."));
        }
    }

    private static void fileSignals(String path, TarballFiles.File f, List<ReleaseReview.Signal> out) {
        if (path.equals("binding.gyp")) {
            out.add(new ReleaseReview.Signal("high", "native-build", "Adds binding.gyp: a native build runs on install."));
        } else if (binary(path, f)) {
            out.add(new ReleaseReview.Signal("high", "binary-file", "Adds a binary file: " + path + " (" + f.size() + " bytes)."));
        } else if (minified(path, f)) {
            out.add(new ReleaseReview.Signal("medium", "minified-file", "Adds a minified file that is hard to review: " + path + "."));
        }
    }

    static boolean binary(String path, TarballFiles.File f) {
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        if (BINARY_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
            return true;
        }
        int n = Math.min(f.head().length, 8192);
        for (int i = 0; i < n; i++) {
            if (f.head()[i] == 0) {
                return true;
            }
        }
        return false;
    }

    static boolean minified(String path, TarballFiles.File f) {
        if (path.endsWith(".min.js")) {
            return true;
        }
        if (!(path.endsWith(".js") || path.endsWith(".cjs") || path.endsWith(".mjs"))) {
            return false;
        }
        for (String line : new String(f.head(), StandardCharsets.UTF_8).split("\n")) {
            if (line.length() > 1000) {
                return true;
            }
        }
        return false;
    }

    private static boolean text(TarballFiles.File f) {
        return f.size() <= KEEP_BYTES && !binary("", f);
    }

    private static String diff(String path, TarballFiles.File a, TarballFiles.File b) {
        List<String> before = Arrays.asList(new String(a.head(), StandardCharsets.UTF_8).split("\n", -1));
        List<String> after = Arrays.asList(new String(b.head(), StandardCharsets.UTF_8).split("\n", -1));
        Patch<String> patch = DiffUtils.diff(before, after);
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff("a/" + path, "b/" + path, before, patch, 3);
        if (lines.size() > MAX_DIFF_LINES) {
            List<String> cut = new ArrayList<>(lines.subList(0, MAX_DIFF_LINES));
            cut.add("… " + (lines.size() - MAX_DIFF_LINES) + " more lines not shown");
            lines = cut;
        }
        return String.join("\n", lines);
    }

    private static String text(JsonNode node, String group, String key) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.path(group).get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
