package dev.airlock.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One installed package version as a lockfile records it. {@link #read} takes a {@code package-lock.json}
 * (lockfileVersion 2 or 3) or the hidden lockfile npm keeps in {@code node_modules/.package-lock.json}, which has the
 * same {@code packages} shape; only entries resolved from the registry being checked are returned.
 */
record Installed(String name, String version, String resolved, String integrity) {

    /** The entries of a lockfile, and how many were resolved elsewhere (another registry, git, a local link). */
    record Lock(List<Installed> fromRegistry, int elsewhere) {}

    static Lock read(Path lockfile, String registry, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(Files.readString(lockfile));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + lockfile + ": " + e.getMessage(), e);
        }
        if (root == null || !root.path("packages").isObject()) {
            throw new IllegalArgumentException(lockfile + " has no \"packages\" (lockfileVersion 2 or 3 is needed:"
                    + " npm 7 or later writes it)");
        }
        Map<String, Installed> seen = new LinkedHashMap<>();
        int elsewhere = 0;
        for (Map.Entry<String, JsonNode> e : root.path("packages").properties()) {
            String path = e.getKey();
            JsonNode entry = e.getValue();
            int at = path.lastIndexOf("node_modules/");
            if (at < 0 || entry.path("link").asBoolean(false)) {
                continue; // the root project, workspaces and links are not installed from a registry
            }
            String resolved = entry.path("resolved").asText("");
            if (!resolved.startsWith(registry)) {
                elsewhere++;
                continue;
            }
            String name = entry.hasNonNull("name")
                    ? entry.get("name").asText()
                    : path.substring(at + "node_modules/".length());
            String version = entry.path("version").asText("");
            seen.putIfAbsent(
                    name + "@" + version,
                    new Installed(
                            name, version, resolved, entry.path("integrity").asText("")));
        }
        List<Installed> out = new ArrayList<>(seen.values());
        out.sort(Comparator.comparing(Installed::name).thenComparing(Installed::version));
        return new Lock(out, elsewhere);
    }

    /** The registry URL as the lockfile's {@code resolved} URLs start: with exactly one trailing slash. */
    static String normalizeRegistry(String url) {
        return url.replaceAll("/+$", "") + "/";
    }
}
