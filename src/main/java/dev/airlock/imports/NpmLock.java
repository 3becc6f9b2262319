package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * npm's {@code package-lock.json} and {@code npm-shrinkwrap.json}: the {@code packages} map keyed by install path
 * (lockfileVersion 2 and 3), or the nested {@code dependencies} tree (lockfileVersion 1).
 */
final class NpmLock {
    /** Where a registry serves a tarball: {@code …/NAME/-/BARE-VERSION.tgz}. */
    private static final Pattern REGISTRY_TARBALL = Pattern.compile("https?://.+/-/[^/]+\\.tgz");

    private static final String BUNDLED = "bundled inside its parent package, so it is not fetched from the registry";

    private NpmLock() {}

    static void read(JsonNode root, LockEntries entries) {
        JsonNode version = root.get("lockfileVersion");
        if (version == null || !version.canConvertToInt()) {
            throw entries.malformed("it has no numeric lockfileVersion");
        }
        JsonNode packages = root.get("packages");
        if (version.asInt() >= 2 && packages != null && packages.isObject()) {
            readPackages(packages, entries);
        } else if (version.asInt() == 1) {
            readDependencies("", root.path("dependencies"), entries);
        } else {
            throw entries.malformed("lockfileVersion " + version + " without a \"packages\" object");
        }
    }

    private static void readPackages(JsonNode packages, LockEntries entries) {
        for (Map.Entry<String, JsonNode> field : packages.properties()) {
            String path = field.getKey();
            JsonNode entry = requireObject(path, field.getValue(), entries);
            if (path.isEmpty()) {
                continue; // the project itself
            }
            String resolved = entry.path("resolved").asText(null);
            int last = path.lastIndexOf("node_modules/");
            if (entry.path("link").asBoolean(false)) {
                entries.skip(path, "a link to a local folder (" + resolved + "), not a registry package");
            } else if (last < 0) {
                entries.skip(path, "a local folder (a workspace or a file: dependency), not a registry package");
            } else if (entry.path("inBundle").asBoolean(false)) {
                entries.skip(path, BUNDLED);
            } else if (!entry.has("version")) {
                entries.skip(path, "it has no version (not installed from a registry)");
            } else if (!skipped(path, resolved, entries)) {
                String name = entry.has("name")
                        ? entry.get("name").asText()
                        : path.substring(last + "node_modules/".length());
                entries.add(path, name, entry.get("version").asText(), text(entry, "integrity"));
            }
        }
    }

    private static void readDependencies(String parent, JsonNode dependencies, LockEntries entries) {
        if (dependencies.isMissingNode()) {
            return;
        }
        if (!dependencies.isObject()) {
            throw entries.malformed(
                    "\"dependencies\" of " + (parent.isEmpty() ? "the project" : parent) + " is not an object");
        }
        for (Map.Entry<String, JsonNode> field : dependencies.properties()) {
            String path = parent + "node_modules/" + field.getKey();
            JsonNode entry = requireObject(path, field.getValue(), entries);
            String version = entry.path("version").asText("");
            if (entry.path("bundled").asBoolean(false)) {
                entries.skip(path, BUNDLED);
            } else if (version.isEmpty()) {
                entries.skip(path, "it has no version (not installed from a registry)");
            } else if (!entries.skipUnlessRegistry(path, version)
                    && !skipped(path, entry.path("resolved").asText(null), entries)) {
                if (version.startsWith("npm:")) {
                    String real = version.substring("npm:".length());
                    entries.add(path, LockEntries.nameOf(real), LockEntries.restOf(real), text(entry, "integrity"));
                } else {
                    entries.add(path, field.getKey(), version, text(entry, "integrity"));
                }
            }
            readDependencies(path + "/", entry.path("dependencies"), entries);
        }
    }

    /** Skips an entry resolved somewhere other than a registry's tarball path (git, a local file, another URL). */
    private static boolean skipped(String path, String resolved, LockEntries entries) {
        if (resolved == null || REGISTRY_TARBALL.matcher(resolved).matches()) {
            return false;
        }
        return entries.skipUnlessRegistry(path, resolved);
    }

    private static JsonNode requireObject(String path, JsonNode entry, LockEntries entries) {
        if (!entry.isObject()) {
            throw entries.malformed(path.isEmpty() ? "(the project)" : path, "not an object");
        }
        return entry;
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
