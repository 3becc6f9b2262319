package dev.airlock.imports;

import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.Versions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** What one lockfile pins, collected entry by entry: deduplicated, each name and version checked as npm would. */
final class LockEntries {
    /** An npm-style Subresource Integrity string (one or more space-separated {@code algo-base64} hashes). */
    private static final Pattern SRI = Pattern.compile("sha(1|256|384|512)-[A-Za-z0-9+/]+={0,2}(\\?\\S*)?"
            + "(\\s+sha(1|256|384|512)-[A-Za-z0-9+/]+={0,2}(\\?\\S*)?)*");

    private final Path file;
    private final Map<String, Map<String, String>> versions = new TreeMap<>();
    private final Set<String> skipped = new LinkedHashSet<>();

    LockEntries(Path file) {
        this.file = file;
    }

    /** A registry package: {@code name@version}, with the integrity the lockfile recorded for it (or null). */
    void add(String entry, String name, String version, String integrity) {
        try {
            PackageName.parse(name);
            Versions.require(version);
        } catch (AirlockException e) {
            throw malformed(entry, e.getMessage());
        }
        String sri = integrity != null && SRI.matcher(integrity.strip()).matches() ? integrity.strip() : null;
        Map<String, String> byVersion = versions.computeIfAbsent(name, n -> new TreeMap<>());
        String before = byVersion.get(version);
        if (before == null || (sri != null && strength(sri) > strength(before))) {
            byVersion.put(version, sri == null ? "" : sri);
        } else if (sri != null && !before.isEmpty() && strength(sri) == strength(before) && !sri.equals(before)) {
            throw malformed(
                    entry,
                    "it records integrity " + sri + " for " + name + "@" + version + " where another"
                            + " entry records " + before);
        }
    }

    /** An entry that is not a registry package; {@code why} completes "skipped ENTRY: …". */
    void skip(String entry, String why) {
        skipped.add("skipped " + entry + ": " + why);
    }

    /** Skips an entry whose specifier is not a registry version; false when {@code spec} is one (semver or npm:). */
    boolean skipUnlessRegistry(String entry, String spec) {
        String why = notRegistry(spec);
        if (why != null) {
            skip(entry, why);
        }
        return why != null;
    }

    IllegalArgumentException malformed(String entry, String problem) {
        return new IllegalArgumentException(file + ": entry " + entry + ": " + problem);
    }

    IllegalArgumentException malformed(String problem) {
        return new IllegalArgumentException(file + " is not a valid lockfile: " + problem);
    }

    Lockfiles.Result result() {
        List<Wanted> wanted = new ArrayList<>();
        versions.forEach((name, byVersion) -> {
            Map<String, String> integrity = new LinkedHashMap<>();
            byVersion.forEach((v, sri) -> {
                if (!sri.isEmpty()) {
                    integrity.put(v, sri);
                }
            });
            wanted.add(new Wanted(
                    name,
                    Collections.unmodifiableSet(new TreeSet<>(byVersion.keySet())),
                    Collections.unmodifiableMap(integrity)));
        });
        return new Lockfiles.Result(List.copyOf(wanted), List.copyOf(skipped));
    }

    /** The name in {@code name@rest} (scoped or not): up to the first {@code @} after the first character. */
    static String nameOf(String spec) {
        int at = spec.indexOf('@', 1);
        return at < 0 ? spec : spec.substring(0, at);
    }

    /** What follows the name in {@code name@rest}, or null when there is no {@code @}. */
    static String restOf(String spec) {
        int at = spec.indexOf('@', 1);
        return at < 0 ? null : spec.substring(at + 1);
    }

    /**
     * Why a dependency specifier or resolved location is not a registry package ("a git dependency (…), not a
     * registry package"), or null when it may be one.
     */
    static String notRegistry(String spec) {
        if (spec == null || spec.isEmpty()) {
            return null;
        }
        String kind;
        if (spec.startsWith("git+")
                || spec.startsWith("git:")
                || spec.startsWith("git@")
                || spec.startsWith("ssh:")
                || spec.startsWith("github:")
                || spec.startsWith("gitlab:")
                || spec.startsWith("bitbucket:")
                || spec.startsWith("gist:")
                || spec.contains(".git#")
                || spec.endsWith(".git")) {
            kind = "a git dependency";
        } else if (spec.startsWith("http://") || spec.startsWith("https://")) {
            kind = "a remote tarball";
        } else if (spec.startsWith("workspace:")) {
            kind = "a workspace package";
        } else if (spec.startsWith("link:") || spec.startsWith("portal:")) {
            kind = "a link to a local folder";
        } else if (spec.startsWith("file:") || spec.startsWith(".") || spec.startsWith("/")) {
            kind = "a local file: dependency";
        } else if (spec.startsWith("patch:")) {
            kind = "a yarn patch";
        } else if (spec.startsWith("exec:")) {
            kind = "a yarn exec: package";
        } else {
            return null;
        }
        return kind + " (" + spec + "), not a registry package";
    }

    private static int strength(String sri) {
        if (sri.isEmpty()) {
            return 0;
        }
        return sri.startsWith("sha512-") ? 4 : sri.startsWith("sha384-") ? 3 : sri.startsWith("sha256-") ? 2 : 1;
    }
}
