package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.util.ArrayList;
import java.util.List;

/**
 * Manifest confusion guard: what the publish body declares must be what {@code package/package.json} in the tarball
 * says, for every field that changes what gets installed or run. Both sides are normalised the way the npm CLI
 * prepares a manifest before comparing (bin strings, bundledDependencies, gyp and server.js default scripts).
 */
final class ManifestCheck {
    static final List<String> FIELDS = List.of("name", "version", "dependencies", "devDependencies", "peerDependencies",
            "optionalDependencies", "peerDependenciesMeta", "bundleDependencies", "scripts", "bin", "license", "engines",
            "os", "cpu", "libc", "main", "exports", "type", "gypfile", "private");

    private ManifestCheck() {
    }

    static void requireSame(JsonNode body, JsonNode tarball, TarballInspector.Inspection files) {
        ObjectNode fromBody = normalise(body, null);
        ObjectNode fromTar = normalise(tarball, files);
        List<String> differ = new ArrayList<>();
        for (String field : FIELDS) {
            JsonNode a = fromBody.get(field);
            JsonNode b = fromTar.get(field);
            if (!same(a, b)) {
                differ.add(field);
            }
        }
        if (!differ.isEmpty()) {
            throw new AirlockException(ErrorCode.UNPROCESSABLE, "Manifest mismatch: the publish request and package.json in"
                    + " the tarball disagree on " + String.join(", ", differ) + ". Publish with the npm CLI from the package"
                    + " directory; nothing was published.");
        }
    }

    private static boolean same(JsonNode a, JsonNode b) {
        boolean aEmpty = a == null || a.isNull() || (a.isContainerNode() && a.isEmpty());
        boolean bEmpty = b == null || b.isNull() || (b.isContainerNode() && b.isEmpty());
        if (aEmpty || bEmpty) {
            return aEmpty && bEmpty;
        }
        return a.equals(b);
    }

    static ObjectNode normalise(JsonNode manifest, TarballInspector.Inspection files) {
        ObjectNode m = manifest.deepCopy();
        if (m.has("bundledDependencies") && !m.has("bundleDependencies")) {
            m.set("bundleDependencies", m.get("bundledDependencies"));
        }
        m.remove("bundledDependencies");
        JsonNode bundle = m.get("bundleDependencies");
        if (bundle != null && bundle.isBoolean()) {
            if (bundle.asBoolean()) {
                var names = Json.MAPPER.createArrayNode();
                m.path("dependencies").fieldNames().forEachRemaining(names::add);
                m.set("bundleDependencies", names);
            } else {
                m.remove("bundleDependencies");
            }
        }
        JsonNode bin = m.get("bin");
        if (bin != null && bin.isTextual()) {
            String name = m.path("name").asText();
            PackageName parsed = safeName(name);
            ObjectNode o = Json.object();
            o.put(parsed == null ? name : parsed.bare(), bin.asText());
            m.set("bin", o);
        }
        if (files != null && !m.has("bin") && m.path("directories").path("bin").isTextual()) {
            String dir = cleanPath(m.path("directories").path("bin").asText());
            ObjectNode o = Json.object();
            for (String f : files.files().keySet()) {
                if (f.startsWith(dir + "/")) {
                    String base = f.substring(f.lastIndexOf('/') + 1);
                    if (!base.startsWith(".")) {
                        o.put(base, f);
                    }
                }
            }
            m.set("bin", o);
        }
        if (m.get("bin") instanceof ObjectNode binObject) {
            ObjectNode cleaned = Json.object();
            binObject.properties().forEach(e -> cleaned.put(e.getKey(), cleanPath(e.getValue().asText())));
            m.set("bin", cleaned);
        }
        if (files != null) {
            ObjectNode scripts = m.get("scripts") instanceof ObjectNode s ? s : Json.object();
            if (files.has("binding.gyp") && !m.path("gypfile").isBoolean() && !scripts.has("install") && !scripts.has("preinstall")) {
                scripts.put("install", "node-gyp rebuild");
                m.put("gypfile", true);
            }
            if (files.has("server.js") && !scripts.has("start")) {
                scripts.put("start", "node server.js");
            }
            if (!scripts.isEmpty()) {
                m.set("scripts", scripts);
            }
        }
        return m;
    }

    private static PackageName safeName(String name) {
        try {
            return PackageName.parse(name);
        } catch (AirlockException e) {
            return null;
        }
    }

    private static String cleanPath(String p) {
        String s = p.replace('\\', '/');
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.replaceAll("/+", "/");
    }
}
