package dev.airlock.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.semver4j.Semver;

/**
 * Reads one OSV advisory (the format of GitHub's advisory database, github.com/github/advisory-database) into an
 * {@link Advisory} as npm's bulk endpoint describes it. Only {@code affected[]} entries of the {@code npm} ecosystem
 * count; each one's {@code ranges[]} (SEMVER or ECOSYSTEM events) become one node-semver range, several joined with
 * {@code " || "}: introduced 1.0.0 and fixed 1.2.6 is {@code ">=1.0.0 <1.2.6"}, introduced 0 and last_affected 2.0.0 is
 * {@code "<=2.0.0"}, introduced 0 with no end is {@code "*"} (or GitHub's {@code last_known_affected_version_range}
 * when it gives one). Versions listed in {@code versions[]} that no range covers are added one by one.
 */
final class Osv {
    /** Why a file is not an advisory this registry can use, in a sentence. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** The advisory, or (advisory null) why it was skipped: {@code "withdrawn"} or {@code "not npm"}. */
    record Converted(String id, Advisory advisory, String skipped) {}

    private static final String GHSA_DIGITS = "23456789cfghjmpqrvwx";
    private static final long GHSA_SPACE = 4_096_000_000_000_000L; // 20^12: every GHSA id below it, one to one

    private Osv() {}

    static Converted convert(JsonNode doc) {
        if (doc == null || !doc.isObject()) {
            throw new Malformed("not a JSON object");
        }
        String id = doc.path("id").asText("");
        if (id.isBlank()) {
            throw new Malformed("no \"id\"");
        }
        if (!doc.path("withdrawn").asText("").isBlank()) {
            return new Converted(id, null, "withdrawn");
        }
        JsonNode affected = doc.path("affected");
        if (!affected.isMissingNode() && !affected.isArray()) {
            throw new Malformed(id + ": \"affected\" is not an array");
        }
        Map<String, List<String>> parts = new LinkedHashMap<>();
        for (JsonNode a : affected) {
            JsonNode pkg = a.path("package");
            if (!"npm".equals(pkg.path("ecosystem").asText())) {
                continue;
            }
            String name = pkg.path("name").asText("");
            if (name.isBlank()) {
                throw new Malformed(id + ": an npm entry of \"affected\" has no package name");
            }
            List<String> ranges = parts.computeIfAbsent(name, k -> new ArrayList<>());
            ranges.addAll(ranges(id, a));
        }
        parts.values().removeIf(List::isEmpty);
        if (parts.isEmpty()) {
            return new Converted(id, null, "not npm");
        }
        Map<String, String> ranges = new LinkedHashMap<>();
        parts.forEach((name, list) -> ranges.put(name, String.join(" || ", list)));
        Cvss.Score cvss = Cvss.of(doc.path("severity"));
        List<String> cwe = new ArrayList<>();
        doc.path("database_specific").path("cwe_ids").forEach(c -> cwe.add(c.asText()));
        List<String> aliases = new ArrayList<>();
        doc.path("aliases").forEach(c -> aliases.add(c.asText()));
        return new Converted(
                id,
                new Advisory(
                        id,
                        number(id),
                        title(id, doc),
                        url(id, doc),
                        severity(doc.path("database_specific").path("severity").asText(""), cvss.score()),
                        List.copyOf(cwe),
                        cvss.score(),
                        cvss.vector(),
                        List.copyOf(aliases),
                        doc.path("published").asText(null),
                        doc.path("modified").asText(null),
                        ranges),
                null);
    }

    /** The node-semver ranges of one {@code affected[]} entry. */
    static List<String> ranges(String id, JsonNode affected) {
        List<String> out = new ArrayList<>();
        for (JsonNode range : affected.path("ranges")) {
            String type = range.path("type").asText();
            if (!type.equals("SEMVER") && !type.equals("ECOSYSTEM")) {
                continue; // GIT ranges name commits, not versions
            }
            String lower = null;
            boolean open = false;
            for (JsonNode event : range.path("events")) {
                if (event.has("introduced")) {
                    lower = version(id, event.get("introduced").asText());
                    open = true;
                } else if (event.has("fixed") || event.has("limit")) {
                    String v = event.has("fixed")
                            ? event.get("fixed").asText()
                            : event.get("limit").asText();
                    out.add(interval(lower, "<" + version(id, v)));
                    open = false;
                } else if (event.has("last_affected")) {
                    out.add(interval(
                            lower, "<=" + version(id, event.get("last_affected").asText())));
                    open = false;
                }
            }
            if (open) {
                out.add(interval(lower, lastKnown(id, affected)));
            }
        }
        for (JsonNode v : affected.path("versions")) {
            String exact = version(id, v.asText());
            if (!exact.equals("0") && out.stream().noneMatch(r -> Ranges.satisfies(exact, r))) {
                out.add(exact);
            }
        }
        return out;
    }

    private static String interval(String lower, String upper) {
        boolean fromStart = lower == null || lower.equals("0");
        if (fromStart) {
            return upper == null ? "*" : upper;
        }
        return upper == null ? ">=" + lower : ">=" + lower + " " + upper;
    }

    /** GitHub's upper bound for a range with no fix ("<= 2.0.0", "< 0.57"), without spaces; null when none. */
    private static String lastKnown(String id, JsonNode affected) {
        String r = affected.path("database_specific")
                .path("last_known_affected_version_range")
                .asText("")
                .replace(" ", "");
        if (r.isEmpty()) {
            return null;
        }
        String op = r.startsWith("<=") ? "<=" : r.startsWith("<") ? "<" : null;
        if (op == null) {
            throw new Malformed(id + ": last_known_affected_version_range \"" + r + "\" is not <VERSION or <=VERSION");
        }
        return op + version(id, r.substring(op.length()));
    }

    private static String version(String id, String v) {
        if (v.equals("0") || Semver.coerce(v) != null) {
            return v;
        }
        throw new Malformed(id + ": \"" + v + "\" is not a semver version");
    }

    static String severity(String given, double score) {
        String s = given.toLowerCase(Locale.ROOT);
        switch (s) {
            case "low", "moderate", "high", "critical" -> {
                return s;
            }
            case "medium" -> {
                return "moderate";
            }
            default -> {
                if (score >= 9) {
                    return "critical";
                } else if (score >= 7) {
                    return "high";
                } else if (score >= 4) {
                    return "moderate";
                } else if (score > 0) {
                    return "low";
                }
                return "high"; // what npm assumes for an advisory without a severity
            }
        }
    }

    private static String title(String id, JsonNode doc) {
        String summary = doc.path("summary").asText("").strip();
        if (!summary.isEmpty()) {
            return summary;
        }
        String details = doc.path("details").asText("").strip();
        return details.isEmpty() ? id : details.lines().findFirst().orElse(id);
    }

    private static String url(String id, JsonNode doc) {
        if (id.startsWith("GHSA-")) {
            return "https://github.com/advisories/" + id;
        }
        for (JsonNode ref : doc.path("references")) {
            if ("ADVISORY".equals(ref.path("type").asText())) {
                return ref.path("url").asText();
            }
        }
        return "https://osv.dev/vulnerability/" + id;
    }

    /**
     * The numeric id npm's answers carry: a GHSA id's twelve characters are digits of base 20 (GitHub's alphabet), so
     * each GHSA id maps to its own number below 20^12, within JavaScript's safe integers; any other id is hashed into
     * the numbers above that.
     */
    static long number(String id) {
        String digits = id.toLowerCase(Locale.ROOT);
        if (digits.matches("ghsa(-[" + GHSA_DIGITS + "]{4}){3}")) {
            long n = 0;
            for (char c : digits.substring(5).replace("-", "").toCharArray()) {
                n = n * 20 + GHSA_DIGITS.indexOf(c);
            }
            return n;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 7; i++) {
                v = v << 8 | (h[i] & 0xff);
            }
            return GHSA_SPACE + v % (9_007_199_254_740_991L - GHSA_SPACE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
