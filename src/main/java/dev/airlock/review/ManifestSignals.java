package dev.airlock.review;

import static dev.airlock.review.VisibleText.show;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** Risk signals from the manifests: install scripts, dependency sources, bin, hidden or look-alike characters in names. */
final class ManifestSignals {
    private static final List<String> INSTALL_SCRIPTS = List.of("preinstall", "install", "postinstall", "prepare");
    private static final List<String> DEPENDENCY_GROUPS =
            List.of("dependencies", "optionalDependencies", "peerDependencies", "devDependencies");
    private static final List<String> BUNDLED = List.of("bundleDependencies", "bundledDependencies");
    private static final Pattern GIT_SHORTHAND = Pattern.compile("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?$");

    private ManifestSignals() {}

    static void all(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        scripts(now, before, out);
        dependencies(now, before, out);
        bin(now, before, out);
    }

    /** A high signal for a name that does not read as what it is, or nothing when it reads plainly. */
    static void marked(String what, String raw, String subject, List<ReleaseReview.Signal> out) {
        VisibleText.Shown s = VisibleText.name(raw);
        if (s.marked()) {
            out.add(new ReleaseReview.Signal(
                    "high",
                    s.hidden().isEmpty() ? "confusable-characters" : "hidden-characters",
                    what + " " + s.display() + " contains " + s.findings() + ": it does not read as what it is.",
                    subject));
        }
    }

    /** Where a dependency spec installs from, as npm's --allow-git / --allow-remote / --allow-file / link gate it. */
    static String source(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.startsWith("git+")
                || s.startsWith("git:")
                || s.startsWith("git@")
                || s.startsWith("github:")
                || s.startsWith("gitlab:")
                || s.startsWith("bitbucket:")
                || s.startsWith("gist:")
                || GIT_SHORTHAND.matcher(s).matches()) {
            return "git";
        }
        if (s.startsWith("http://") || s.startsWith("https://")) {
            return "remote";
        }
        if (s.startsWith("file:")
                || s.startsWith("./")
                || s.startsWith("../")
                || s.startsWith("/")
                || s.startsWith("~/")) {
            return "file";
        }
        if (s.startsWith("link:")) {
            return "link";
        }
        return "registry";
    }

    private static void scripts(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        for (String name : INSTALL_SCRIPTS) {
            String a = text(before, "scripts", name);
            String b = text(now, "scripts", name);
            if (b != null && a == null) {
                out.add(new ReleaseReview.Signal(
                        "high", "install-script", "Adds a " + name + " script, which runs on install: " + show(b)));
            } else if (b != null && !b.equals(a)) {
                out.add(new ReleaseReview.Signal(
                        "high",
                        "install-script",
                        "Changes the " + name + " script from \"" + show(a) + "\" to \"" + show(b) + "\"."));
            } else if (b == null && a != null) {
                out.add(new ReleaseReview.Signal(
                        "info", "install-script", "Removes the " + name + " script (it was \"" + show(a) + "\")."));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        now.path("scripts").properties().iterator();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            marked("Script name", e.getKey(), null, out);
            marked("The " + show(e.getKey()) + " script", e.getValue().asText(), null, out);
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
                marked(group + " name", dep, null, out);
                marked(group + " " + show(dep) + " spec", spec, null, out);
                if (!Objects.equals(spec, old) && !where.equals("registry") && !dev) {
                    out.add(new ReleaseReview.Signal(
                            "high",
                            "non-registry-dependency",
                            group + " " + show(dep) + " installs from " + where + " (" + show(spec)
                                    + "), not from the registry."));
                }
                if (old == null) {
                    out.add(new ReleaseReview.Signal(
                            dev ? "info" : "medium",
                            "dependency-added",
                            "Adds " + group + " " + show(dep) + "@" + show(spec) + "."));
                } else if (!old.equals(spec)) {
                    out.add(new ReleaseReview.Signal(
                            "info",
                            "dependency-changed",
                            "Changes " + group + " " + show(dep) + " from " + show(old) + " to " + show(spec) + "."));
                }
            }
        }
        for (String group : BUNDLED) {
            for (JsonNode dep : now.path(group)) {
                marked(group + " name", dep.asText(), null, out);
            }
        }
    }

    private static void bin(JsonNode now, JsonNode before, List<ReleaseReview.Signal> out) {
        JsonNode a = before == null ? null : before.get("bin");
        JsonNode b = now.get("bin");
        if (b != null && !b.equals(a)) {
            out.add(new ReleaseReview.Signal(
                    "medium",
                    "bin",
                    a == null
                            ? "Adds executables (bin): " + show(b.toString()) + "."
                            : "Changes executables (bin) from " + show(a.toString()) + " to " + show(b.toString())
                                    + "."));
        }
        if (b != null && b.isTextual()) {
            marked("The bin path", b.asText(), null, out);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        b == null ? null : b.properties().iterator();
                it != null && it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            marked("Executable name (bin)", e.getKey(), null, out);
            marked("The path of executable " + show(e.getKey()), e.getValue().asText(), null, out);
        }
    }

    static String text(JsonNode node, String group, String key) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.path(group).get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
