package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifest {@code npm publish} (npm 11.19.1) builds from a package directory, for the fields the manifest check
 * compares: {@code @npmcli/package-json} {@code fix()} then {@code prepare()} (lib/commands/publish.js #getManifest),
 * then libnpmpublish's {@code fixName}. Steps that only touch fields the check does not compare (readme, description,
 * gitHead, people, repository, bugs, homepage, keywords, man, types, _id) are left out; docs/npm-protocol.md lists
 * every step. {@code paths} are the package's files (relative to its folder); null skips the steps that look at files.
 */
public final class NpmPublishManifest {
    /** normalize.js: {@code /^(\.[/\\])?node_modules[/\\].bin[\\/]/} (the dot before "bin" matches any character). */
    private static final Pattern SCRIPT_PATH = Pattern.compile("^(\\.[/\\\\])?node_modules[/\\\\].bin[\\\\/]");

    private static final Pattern LOOSE_SEMVER = Pattern.compile("^[v=\\s]*(\\d+)\\.(\\d+)\\.(\\d+)"
            + "(?:-?((?:\\d+|\\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\\.(?:\\d+|\\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?"
            + "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$");

    private NpmPublishManifest() {}

    /** The manifest npm publish sends for this package.json (a copy); {@code paths}: the package's files, or null. */
    public static ObjectNode prepare(JsonNode raw, Set<String> paths) {
        ObjectNode m = raw.deepCopy();
        Set<String> all = paths == null ? null : withDirectories(paths);
        // fix(): async steps (binRefs), then sync steps in normalize.js order
        normalizeBin(m);
        trimName(m);
        cleanVersion(m);
        NpmDependencyFields.bundleDependencies(m, false);
        scripts(m);
        NpmDependencyFields.fixDependencies(m);
        // prepare(): async steps first (gypfile, serverjs, binDir / binRefs), then sync steps
        if (all != null) {
            gypfile(m, all);
            serverJs(m, all);
        }
        if (truthy(m.path("directories").get("bin")) && !truthy(m.get("bin")) && all != null) {
            m.set("bin", binDirectory(m.path("directories").get("bin").asText(), all));
        } else {
            normalizeBin(m);
        }
        trimName(m);
        cleanVersion(m);
        if (m.get("bundleDependencies") == null && m.get("bundledDependencies") != null) {
            m.set("bundleDependencies", m.get("bundledDependencies"));
        }
        m.remove("bundledDependencies");
        NpmDependencyFields.bundleDependencies(m, true);
        scripts(m);
        NpmDependencyFields.fixDependencies(m);
        NpmDependencyFields.bundledAreDependencies(m);
        trimName(m); // libnpmpublish patchManifest: fixName
        return m;
    }

    /** JavaScript truthiness of a JSON value (missing counts as undefined). */
    static boolean truthy(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asDouble() != 0 && !Double.isNaN(n.asDouble());
        }
        return !n.isTextual() || !n.asText().isEmpty();
    }

    /** npm's secureAndUnixifyPath: path.join('.', path.join('/', p)) with \ and : as /, "" when nothing is left. */
    static String secure(String ref) {
        String s = ref.replace('\\', '/').replace(':', '/');
        List<String> segments = new ArrayList<>();
        for (String seg : s.split("/", -1)) {
            if (seg.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
            } else if (!seg.isEmpty() && !seg.equals(".")) {
                segments.add(seg);
            }
        }
        return segments.isEmpty() ? "" : String.join("/", segments) + (s.endsWith("/") ? "/" : "");
    }

    static String basename(String p) {
        String s = p;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** normalizePackageBin: string → {name: target}, array → {basename: target}, keys to basenames, paths secured. */
    static void normalizeBin(ObjectNode m) {
        JsonNode bin = m.get("bin");
        if (!truthy(bin)) {
            m.remove("bin");
            return;
        }
        ObjectNode object;
        if (bin.isTextual() && truthy(m.get("name"))) {
            object = Json.object();
            object.set(
                    m.get("name").isTextual()
                            ? m.get("name").asText()
                            : m.get("name").toString(),
                    bin);
        } else if (bin.isArray()) {
            object = Json.object();
            bin.forEach(k -> object.set(basename(k.asText()), k));
        } else if (bin.isObject()) {
            object = (ObjectNode) bin;
        } else {
            m.remove("bin");
            return;
        }
        ObjectNode out = Json.object();
        object.properties().iterator().forEachRemaining(e -> {
            String base = basename(secure(e.getKey()));
            String target = e.getValue().isTextual() ? secure(e.getValue().asText()) : "";
            if (!base.isEmpty() && !target.isEmpty()) {
                out.put(base, target);
            }
        });
        if (out.isEmpty()) {
            m.remove("bin");
        } else {
            m.set("bin", out);
        }
    }

    /** prepare step binDir: every entry glob('**') finds under directories.bin (no dot segments), by basename. */
    static ObjectNode binDirectory(String directory, Set<String> all) {
        String binPath = secure(directory);
        String prefix = binPath.isEmpty() ? "" : (binPath.endsWith("/") ? binPath : binPath + "/");
        ObjectNode bin = Json.object();
        for (String p : all) {
            if (!p.startsWith(prefix) || p.length() == prefix.length()) {
                continue;
            }
            String rel = p.substring(prefix.length());
            if (("/" + rel).contains("/.")) {
                continue;
            }
            bin.put(basename(rel), binPath + "/" + secure(rel));
        }
        return bin;
    }

    private static void trimName(ObjectNode m) {
        if (m.path("name").isTextual()) {
            m.put("name", m.get("name").asText().strip());
        }
    }

    /** semver.clean(version, loose): "v1.2.3", "=1.2.3", " 01.2.3 " → "1.2.3"; build metadata is dropped. */
    private static void cleanVersion(ObjectNode m) {
        if (!truthy(m.get("version")) || !m.get("version").isTextual()) {
            return;
        }
        Matcher v = LOOSE_SEMVER.matcher(m.get("version").asText().strip().replaceFirst("^[=v]+", ""));
        if (!v.matches()) {
            return;
        }
        StringBuilder out = new StringBuilder()
                .append(new java.math.BigInteger(v.group(1)))
                .append('.')
                .append(new java.math.BigInteger(v.group(2)))
                .append('.')
                .append(new java.math.BigInteger(v.group(3)));
        if (v.group(4) != null) {
            List<String> ids = new ArrayList<>();
            for (String id : v.group(4).split("\\.")) {
                ids.add(id.matches("\\d+") ? new java.math.BigInteger(id).toString() : id);
            }
            out.append('-').append(String.join(".", ids));
        }
        m.put("version", out.toString());
    }

    /** Steps scripts/scriptpath: non-object scripts and non-string entries go, a node_modules/.bin/ prefix goes. */
    private static void scripts(ObjectNode m) {
        JsonNode scripts = m.get("scripts");
        if (scripts == null) {
            return;
        }
        if (!(scripts instanceof ObjectNode s)) {
            m.remove("scripts");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                it.remove();
            } else {
                e.setValue(Json.MAPPER
                        .getNodeFactory()
                        .textNode(SCRIPT_PATH.matcher(e.getValue().asText()).replaceFirst("")));
            }
        }
    }

    /** prepare step gypfile: a *.gyp file at the top and no install/preinstall script means "node-gyp rebuild". */
    private static void gypfile(ObjectNode m, Set<String> all) {
        JsonNode scripts = truthy(m.get("scripts")) ? m.get("scripts") : Json.object();
        if (truthy(scripts.get("install"))
                || truthy(scripts.get("preinstall"))
                || (m.get("gypfile") != null
                        && m.get("gypfile").isBoolean()
                        && !m.get("gypfile").asBoolean())) {
            return;
        }
        boolean gyp = all.stream().anyMatch(p -> p.indexOf('/') < 0 && p.endsWith(".gyp") && !p.startsWith("."));
        if (gyp) {
            if (scripts instanceof ObjectNode s) {
                s.put("install", "node-gyp rebuild");
            }
            m.set("scripts", scripts);
            m.put("gypfile", true);
        }
    }

    /** prepare step serverjs: a server.js at the top and no start script means "node server.js". */
    private static void serverJs(ObjectNode m, Set<String> all) {
        JsonNode scripts = truthy(m.get("scripts")) ? m.get("scripts") : Json.object();
        if (!truthy(scripts.get("start")) && all.contains("server.js")) {
            if (scripts instanceof ObjectNode s) {
                s.put("start", "node server.js");
            }
            m.set("scripts", scripts);
        }
    }

    /** Files plus the folders that hold them: glob and fs.access see both. */
    static Set<String> withDirectories(Set<String> files) {
        Set<String> all = new HashSet<>(files);
        for (String f : files) {
            for (int i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) {
                all.add(f.substring(0, i));
            }
        }
        return all;
    }
}
