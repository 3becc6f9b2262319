package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * bun's text {@code bun.lock} (bun 1.2 and later): {@code "packages": {"key": ["name@version", "registry", {…},
 * "sha512-…"]}} for a registry package; a workspace, folder, tarball or git entry has another shape and specifier.
 */
final class BunLock {
    private BunLock() {}

    static void read(JsonNode root, LockEntries entries) {
        JsonNode packages = root.path("packages");
        if (!packages.isObject()) {
            throw entries.malformed("\"packages\" is not an object");
        }
        for (Map.Entry<String, JsonNode> field : packages.properties()) {
            String key = field.getKey();
            JsonNode entry = field.getValue();
            if (!entry.isArray() || entry.isEmpty() || !entry.get(0).isTextual()) {
                throw entries.malformed(key, "not an array starting with \"name@version\"");
            }
            String id = entry.get(0).asText();
            String spec = LockEntries.restOf(id);
            if (spec == null) {
                throw entries.malformed(key, "\"" + id + "\" is not name@version");
            }
            boolean registryShape = entry.size() == 4
                    && entry.get(1).isTextual()
                    && entry.get(2).isObject();
            if (registryShape && entry.get(2).path("bundled").asBoolean(false)) {
                entries.skip(key, "bundled inside its parent package, so it is not fetched from the registry");
            } else if (spec.startsWith("npm:")) {
                String real = spec.substring("npm:".length());
                entries.add(key, LockEntries.nameOf(real), LockEntries.restOf(real), integrity(entry, registryShape));
            } else if (!entries.skipUnlessRegistry(key, spec)) {
                if (!registryShape) {
                    throw entries.malformed(key, "\"" + id + "\" has a version but not a registry entry's shape");
                }
                entries.add(key, LockEntries.nameOf(id), spec, integrity(entry, true));
            }
        }
    }

    private static String integrity(JsonNode entry, boolean registryShape) {
        return registryShape ? entry.get(3).asText(null) : null;
    }
}
