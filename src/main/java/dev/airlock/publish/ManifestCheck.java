package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Manifest confusion guard: what the publish body declares must be what {@code package.json} in the tarball says, for
 * every field that changes what gets installed or run. The tarball side is turned into the manifest npm 11.19.1's
 * {@code npm publish} would send for it ({@link NpmPublishManifest}); the body gets the same steps except those that
 * look at files (it may come from another client). Three things npm derives from the package directory, which can hold
 * files the tarball leaves out, are accepted when the tarball alone would not produce them: the "node server.js"
 * start script, the "node-gyp rebuild" install script with {@code gypfile: true}, and directories.bin entries for files
 * that are not in the tarball. Fields npm fills from outside package.json (readme, gitHead, _id, description, people,
 * types, man) are not compared.
 */
final class ManifestCheck {
    static final List<String> FIELDS = List.of(
            "name",
            "version",
            "dependencies",
            "devDependencies",
            "peerDependencies",
            "optionalDependencies",
            "peerDependenciesMeta",
            "bundleDependencies",
            "scripts",
            "bin",
            "license",
            "engines",
            "os",
            "cpu",
            "libc",
            "main",
            "exports",
            "imports",
            "browser",
            "type",
            "gypfile",
            "private");
    private static final String SERVER_JS = "node server.js";
    private static final String NODE_GYP = "node-gyp rebuild";
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
            a.equals(b) ? 0 : a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;

    private ManifestCheck() {}

    /** {@code tarballFiles}: the files in the tarball, relative to its top folder ("package.json", "bin/cli.js"). */
    static void requireSame(JsonNode body, JsonNode tarball, Set<String> tarballFiles) {
        List<Difference> differ = differences(body, tarball, tarballFiles);
        if (!differ.isEmpty()) {
            List<String> fields = differ.stream().map(Difference::field).toList();
            List<String> details = differ.stream().map(Difference::detail).toList();
            throw new AirlockException(
                    ErrorCode.UNPROCESSABLE,
                    "Manifest mismatch: the publish request and package.json"
                            + " in the tarball disagree on " + String.join(", ", fields)
                            + ", even after the normalisation npm"
                            + " publish applies (" + String.join("; ", details)
                            + "). The manifest in the request must be the"
                            + " tarball's package.json as npm publish prepares it. If neither was edited, publish with the npm CLI"
                            + " (npm publish in the package folder, or npm publish FILE.tgz): another client may have changed the"
                            + " manifest; if the difference is unexpected, treat the package as tampered with. Nothing was published.");
        }
    }

    /** A compared field on which the two manifests disagree, and how. */
    record Difference(String field, String detail) {}

    /** Empty when the manifests agree. */
    static List<Difference> differences(JsonNode body, JsonNode tarball, Set<String> tarballFiles) {
        ObjectNode declared = NpmPublishManifest.prepare(body, null);
        ObjectNode expected = NpmPublishManifest.prepare(tarball, tarballFiles);
        ObjectNode fixedRaw = NpmPublishManifest.prepare(tarball, null);
        // npm does not clean the paths it derives from directories.bin ("bin//cli"); the body side has them cleaned
        NpmPublishManifest.normalizeBin(expected);
        allowDirectoryDerived(declared, expected, fixedRaw, tarballFiles);
        List<Difference> differ = new ArrayList<>();
        for (String field : FIELDS) {
            JsonNode a = declared.get(field);
            JsonNode b = expected.get(field);
            if (!same(a, b) && !(field.endsWith("ependencies") && sameDependencies(a, b))) {
                differ.add(new Difference(field, detail(field, a, b)));
            }
        }
        return differ;
    }

    /** What npm adds from files of the package directory that the tarball does not hold (see the class comment). */
    private static void allowDirectoryDerived(
            ObjectNode declared, ObjectNode expected, ObjectNode fixedRaw, Set<String> files) {
        JsonNode rawScripts = fixedRaw.path("scripts");
        if (!NpmPublishManifest.truthy(rawScripts.get("start"))) {
            for (ObjectNode side : List.of(declared, expected)) {
                if (side.get("scripts") instanceof ObjectNode s
                        && (SERVER_JS.equals(s.path("start").asText(null))
                                || !NpmPublishManifest.truthy(s.get("start")))) {
                    s.remove("start");
                }
            }
        }
        boolean gypAllowed = !NpmPublishManifest.truthy(rawScripts.get("install"))
                && !NpmPublishManifest.truthy(rawScripts.get("preinstall"))
                && !(fixedRaw.path("gypfile").isBoolean()
                        && !fixedRaw.path("gypfile").asBoolean());
        if (gypAllowed
                && !expected.path("gypfile").asBoolean(false)
                && declared.path("gypfile").asBoolean(false)
                && declared.path("gypfile").isBoolean()
                && NODE_GYP.equals(declared.path("scripts").path("install").asText(null))) {
            ObjectNode scripts = expected.get("scripts") instanceof ObjectNode s ? s : expected.putObject("scripts");
            scripts.put("install", NODE_GYP);
            expected.put("gypfile", true);
        }
        JsonNode dir = fixedRaw.path("directories").get("bin");
        if (NpmPublishManifest.truthy(dir)
                && !NpmPublishManifest.truthy(fixedRaw.get("bin"))
                && declared.get("bin") instanceof ObjectNode bins
                && expected.get("bin") instanceof ObjectNode derived) {
            String binPath = NpmPublishManifest.secure(dir.asText()).replaceFirst("/$", "");
            Set<String> inTarball = NpmPublishManifest.withDirectories(files);
            bins.properties().iterator().forEachRemaining(e -> {
                String target = e.getValue().asText();
                String rel = binPath.isEmpty()
                        ? target
                        : target.startsWith(binPath + "/") ? target.substring(binPath.length() + 1) : "";
                if (!derived.has(e.getKey())
                        && !rel.isEmpty()
                        && !("/" + rel).contains("/.")
                        && NpmPublishManifest.basename(rel).equals(e.getKey())
                        && !inTarball.contains(target)) {
                    derived.set(e.getKey(), e.getValue());
                }
            });
        }
    }

    private static boolean same(JsonNode a, JsonNode b) {
        boolean aEmpty = a == null || a.isNull() || (a.isContainerNode() && a.isEmpty());
        boolean bEmpty = b == null || b.isNull() || (b.isContainerNode() && b.isEmpty());
        if (aEmpty || bEmpty) {
            return aEmpty && bEmpty;
        }
        return a.equals(NUMBERS_BY_VALUE, b);
    }

    /** npm publish rewrites hosted git specs ("user/repo" → "github:user/repo"); the same repository and ref agree. */
    private static boolean sameDependencies(JsonNode a, JsonNode b) {
        if (a == null || b == null || !a.isObject() || !b.isObject() || a.size() != b.size()) {
            return false;
        }
        for (var it = a.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            JsonNode other = b.get(e.getKey());
            if (other == null
                    || !(e.getValue().equals(other)
                            || (e.getValue().isTextual()
                                    && other.isTextual()
                                    && HostedGitSpec.identity(e.getValue().asText()) != null
                                    && HostedGitSpec.identity(e.getValue().asText())
                                            .equals(HostedGitSpec.identity(other.asText()))))) {
                return false;
            }
        }
        return true;
    }

    /** Names the keys that differ in an object field, or shows both values (shortened). */
    private static String detail(String field, JsonNode request, JsonNode tarball) {
        boolean objects = (request == null || request.isObject()) && (tarball == null || tarball.isObject());
        if (objects && (request != null || tarball != null)) {
            Set<String> keys = new LinkedHashSet<>();
            if (request != null) {
                request.fieldNames().forEachRemaining(keys::add);
            }
            if (tarball != null) {
                tarball.fieldNames().forEachRemaining(keys::add);
            }
            List<String> parts = new ArrayList<>();
            for (String k : keys) {
                JsonNode a = request == null ? null : request.get(k);
                JsonNode b = tarball == null ? null : tarball.get(k);
                if (!same(a, b)) {
                    parts.add(field + "." + k + ": request " + shown(a) + ", tarball " + shown(b));
                }
            }
            if (!parts.isEmpty()) {
                return String.join(", ", parts.subList(0, Math.min(3, parts.size()))) + (parts.size() > 3 ? ", …" : "");
            }
        }
        return field + ": request " + shown(request) + ", tarball " + shown(tarball);
    }

    private static String shown(JsonNode n) {
        if (n == null || n.isNull()) {
            return "has none";
        }
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "…" : s;
    }
}
