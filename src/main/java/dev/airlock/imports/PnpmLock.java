package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * pnpm's {@code pnpm-lock.yaml}: its {@code packages} map, keyed {@code name@version} (lockfileVersion 9),
 * {@code /name@version} (6 to 8) or {@code /name/version} (5), with a peer suffix ({@code (react@18.2.0)}, or
 * {@code _react@18.2.0} in 5) that is not part of the version.
 */
final class PnpmLock {
    private PnpmLock() {}

    static void read(JsonNode root, LockEntries entries) {
        String lockfileVersion = root.path("lockfileVersion").asText("");
        if (lockfileVersion.isEmpty()) {
            throw entries.malformed("it has no lockfileVersion");
        }
        boolean slashes = lockfileVersion.startsWith("5.") || lockfileVersion.equals("5");
        JsonNode packages = root.path("packages");
        if (packages.isMissingNode() || packages.isNull()) {
            return; // a project without dependencies
        }
        if (!packages.isObject()) {
            throw entries.malformed("\"packages\" is not a map");
        }
        for (Map.Entry<String, JsonNode> field : packages.properties()) {
            String key = field.getKey();
            JsonNode resolution = field.getValue().path("resolution");
            if (!resolution.isObject()) {
                throw entries.malformed(key, "no resolution");
            }
            String id = key.startsWith("/") ? key.substring(1) : key;
            if (entries.skipUnlessRegistry(key, id)) {
                continue; // file:…, link:…, https:… keys (lockfileVersion 6)
            }
            String type = resolution.path("type").asText(null);
            String tarball = resolution.path("tarball").asText(null);
            if (type != null) {
                String where = resolution
                        .path("repo")
                        .asText(resolution.path("directory").asText(""));
                String kind = switch (type) {
                    case "git" -> "a git dependency";
                    case "directory" -> "a local directory";
                    default -> "a " + type + " resolution";
                };
                entries.skip(key, kind + " (" + where + "), not a registry package");
                continue;
            }
            if (tarball != null && !tarball.startsWith("http") && entries.skipUnlessRegistry(key, tarball)) {
                continue; // a local tarball; a remote one is skipped below when its key has no registry version
            }
            String name;
            String version;
            if (slashes) {
                int slash = id.lastIndexOf('/');
                name = slash < 0 ? id : id.substring(0, slash);
                version = slash < 0 ? "" : id.substring(slash + 1).replaceFirst("_.*", "");
            } else {
                int peers = id.indexOf('(');
                String bare = peers < 0 ? id : id.substring(0, peers);
                name = LockEntries.nameOf(bare);
                version = LockEntries.restOf(bare);
                if (version != null && version.startsWith("npm:")) {
                    name = LockEntries.nameOf(version.substring("npm:".length()));
                    version = LockEntries.restOf(version.substring("npm:".length()));
                }
            }
            if (version == null || entries.skipUnlessRegistry(key, version)) {
                if (version == null) {
                    throw entries.malformed(key, "the key is not name@version");
                }
                continue;
            }
            entries.add(key, name, version, resolution.path("integrity").asText(null));
        }
    }
}
