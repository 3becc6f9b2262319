package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.util.ArrayList;
import java.util.List;

/** npm publish's steps for the dependency fields (@npmcli/package-json normalize.js and normalize-data.js). */
final class NpmDependencyFields {
    private NpmDependencyFields() {}

    /** Steps bundleDependencies (and bundleDependenciesDeleteFalse in prepare). */
    static void bundleDependencies(ObjectNode m, boolean deleteFalse) {
        JsonNode bd = m.get("bundleDependencies");
        if (bd != null && bd.isBoolean() && !bd.asBoolean() && !deleteFalse) {
            m.putArray("bundleDependencies");
        } else if (bd != null && bd.isBoolean() && bd.asBoolean()) {
            ArrayNode names = m.putArray("bundleDependencies");
            if (m.get("dependencies") != null && m.get("dependencies").isObject()) {
                m.get("dependencies").fieldNames().forEachRemaining(names::add);
            }
        } else if (bd != null && bd.isObject()) {
            ArrayNode names = Json.MAPPER.createArrayNode();
            bd.fieldNames().forEachRemaining(names::add);
            m.set("bundleDependencies", names);
        } else if (bd != null && !bd.isArray()) {
            m.remove("bundleDependencies");
        }
    }

    /** normalizeData: bundled names must be strings; a bundled name missing from dependencies is added as "*". */
    static void bundledAreDependencies(ObjectNode m) {
        JsonNode bd = m.get("bundleDependencies");
        if (!NpmPublishManifest.truthy(bd)) {
            return;
        }
        if (!bd.isArray()) {
            m.remove("bundleDependencies");
            return;
        }
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode name : bd) {
            if (name.isTextual() && !name.asText().isEmpty()) {
                kept.add(name);
                if (!NpmPublishManifest.truthy(m.get("dependencies"))) {
                    m.putObject("dependencies");
                }
                if (m.get("dependencies").isObject() && !m.get("dependencies").has(name.asText())) {
                    ((ObjectNode) m.get("dependencies")).put(name.asText(), "*");
                }
            }
        }
        m.set("bundleDependencies", kept);
    }

    /** Step fixDependencies: string and array lists become objects; non-string versions in (dev)dependencies go. */
    static void fixDependencies(ObjectNode m) {
        for (String type : List.of("dependencies", "devDependencies", "optionalDependencies")) {
            JsonNode deps = m.get(type);
            if (!NpmPublishManifest.truthy(deps)) {
                continue;
            }
            List<String> list = new ArrayList<>();
            if (deps.isTextual()) {
                list.addAll(List.of(deps.asText().strip().split("[\\n\\r\\s\\t ,]+")));
            } else if (deps.isArray()) {
                deps.forEach(d -> {
                    if (d.isTextual()) {
                        list.add(d.asText());
                    }
                });
            } else {
                continue;
            }
            ObjectNode o = Json.object();
            for (String d : list) {
                String s = d.strip();
                int at = 0;
                while (at < s.length()
                        && "@ \t\n\r\f\u000b><=".indexOf(s.charAt(at)) < 0
                        && !Character.isWhitespace(s.charAt(at))) {
                    at++;
                }
                int start = at < s.length() && at > 0 && s.charAt(at - 1) == ':' ? at - 1 : at;
                o.put(
                        s.substring(0, start),
                        s.substring(start).replaceFirst("^@", "").strip());
            }
            m.set(type, o);
        }
        for (String type : List.of("dependencies", "devDependencies")) {
            JsonNode deps = m.get(type);
            if (deps == null) {
                continue;
            }
            if (!NpmPublishManifest.truthy(deps) || !deps.isObject()) {
                m.remove(type);
                continue;
            }
            ((ObjectNode) deps).properties().removeIf(e -> !e.getValue().isTextual());
        }
    }
}
