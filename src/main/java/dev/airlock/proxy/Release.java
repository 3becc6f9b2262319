package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.semver4j.Semver;
import org.semver4j.range.RangeListFactory;

/**
 * Which upstream versions are served (docs/proxy.md, "Cooldown and blocks"): a version matching a block is never
 * served; otherwise one younger than the cooldown is hidden unless the name is excluded or an operator allowed that
 * version early. Age counts from the later of the upstream's {@code time} and the moment this registry first saw the
 * version. Hidden versions leave {@code versions} and {@code time}; a dist-tag pointing at one moves to the highest
 * served version of the same kind (stable for {@code latest}; stable or prerelease like the tagged one for others) or
 * is dropped, as pnpm does client-side.
 */
final class Release {
    private Release() {}

    /** An operator's rule: {@code allow} one version early, or {@code block} a range or version. */
    record Rule(String kind, String spec, String reason, String actor, long at) {}

    enum State {
        SERVED,
        COOLDOWN,
        BLOCKED
    }

    /**
     * One version's fate: for COOLDOWN when it becomes eligible; the rule that blocked or allowed it; the upstream's
     * publish time (0 when absent or unreadable) and when this registry first saw it.
     */
    record Decision(State state, long eligibleAt, Rule rule, long published, long firstSeen) {}

    /** The served upstream document, the hidden versions ("cooldown V" / "blocked V" lines), the next rebuild. */
    record View(ObjectNode doc, String hidden, Long recomputeAt) {}

    static Decision decide(
            String version,
            JsonNode time,
            Long firstSeen,
            List<Rule> rules,
            Duration cooldown,
            boolean excluded,
            long now) {
        long published = published(time, version);
        long seen = firstSeen == null ? now : firstSeen;
        Rule allowed = null;
        for (Rule r : rules) {
            if (r.kind().equals("block") && matches(version, r.spec())) {
                return new Decision(State.BLOCKED, 0, r, published, seen);
            }
            if (r.kind().equals("allow") && r.spec().equals(version)) {
                allowed = r;
            }
        }
        long eligibleAt = Math.max(published, seen) + cooldown.toMillis();
        if (cooldown.isZero() || excluded || allowed != null || now >= eligibleAt) {
            return new Decision(State.SERVED, 0, allowed, published, seen);
        }
        return new Decision(State.COOLDOWN, eligibleAt, null, published, seen);
    }

    static View apply(
            ObjectNode upstream,
            Map<String, Long> seen,
            List<Rule> rules,
            Duration cooldown,
            boolean excluded,
            long now) {
        ObjectNode doc = upstream.deepCopy();
        JsonNode time = doc.path("time");
        Map<String, State> hidden = new LinkedHashMap<>();
        Long next = null;
        List<String> names = new ArrayList<>();
        doc.path("versions").fieldNames().forEachRemaining(names::add);
        for (String v : names) {
            Decision d = decide(v, time, seen.get(v), rules, cooldown, excluded, now);
            if (d.state() != State.SERVED) {
                hidden.put(v, d.state());
            }
            if (d.state() == State.COOLDOWN) {
                next = next == null ? d.eligibleAt() : Math.min(next, d.eligibleAt());
            }
        }
        if (hidden.isEmpty()) {
            return new View(doc, null, null);
        }
        ObjectNode versions = (ObjectNode) doc.get("versions");
        hidden.keySet().forEach(versions::remove);
        if (time instanceof ObjectNode t) {
            hidden.keySet().forEach(t::remove);
            String modified = null;
            long latest = Long.MIN_VALUE;
            for (String v : names) {
                long at = published(t, v);
                if (!hidden.containsKey(v) && t.path(v).isTextual() && at > latest) {
                    latest = at;
                    modified = t.path(v).asText();
                }
            }
            if (modified == null) {
                modified = t.path("created").asText(null);
            }
            if (modified != null) {
                t.put("modified", modified);
            }
        }
        if (doc.path("dist-tags") instanceof ObjectNode tags) {
            Map<String, String> moved = new LinkedHashMap<>();
            tags.properties().forEach(e -> {
                if (hidden.containsKey(e.getValue().asText())) {
                    Semver tagged = Semver.parse(e.getValue().asText());
                    boolean prerelease = !e.getKey().equals("latest")
                            && tagged != null
                            && !tagged.getPreRelease().isEmpty();
                    moved.put(e.getKey(), highest(versions, prerelease));
                }
            });
            moved.forEach((tag, to) -> {
                if (to == null) {
                    tags.remove(tag);
                } else {
                    tags.put(tag, to);
                }
            });
        }
        StringBuilder lines = new StringBuilder();
        hidden.forEach((v, s) -> lines.append(s == State.BLOCKED ? "blocked " : "cooldown ")
                .append(v)
                .append('\n'));
        return new View(doc, lines.toString(), next);
    }

    /** The hidden versions listed in a stored {@code hidden} column. */
    static Set<String> hiddenVersions(String hidden) {
        Set<String> out = new TreeSet<>();
        if (hidden != null) {
            for (String line : hidden.split("\n")) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    out.add(line.substring(sp + 1));
                }
            }
        }
        return out;
    }

    /** The {@code Airlock-Hidden} header: "3 versions (cooldown 2, blocked 1)"; null when nothing is hidden. */
    static String summary(String hidden) {
        if (hidden == null || hidden.isEmpty()) {
            return null;
        }
        int cooldown = 0;
        int blocked = 0;
        for (String line : hidden.split("\n")) {
            if (line.startsWith("cooldown ")) {
                cooldown++;
            } else if (line.startsWith("blocked ")) {
                blocked++;
            }
        }
        int total = cooldown + blocked;
        List<String> parts = new ArrayList<>();
        if (cooldown > 0) {
            parts.add("cooldown " + cooldown);
        }
        if (blocked > 0) {
            parts.add("blocked " + blocked);
        }
        return total + (total == 1 ? " version (" : " versions (") + String.join(", ", parts) + ")";
    }

    /** Whether a block's spec (one version, or a semver range) covers this version; prereleases included. */
    static boolean matches(String version, String spec) {
        if (spec.equals(version)) {
            return true;
        }
        Semver v = Semver.parse(version);
        return v != null && v.satisfies(spec, true);
    }

    /** Null when the spec is one version or a range semver understands; otherwise what is wrong. */
    static String invalidRange(String spec) {
        if (spec.isBlank()) {
            return "an empty range";
        }
        if (Semver.parse(spec) != null) {
            return null;
        }
        String invalid = "\"" + spec + "\" is not a version or a semver range";
        if (!spec.matches(".*[0-9*].*")) {
            return invalid; // semver4j reads any word (a dist-tag such as "latest") as "*"
        }
        try {
            return RangeListFactory.create(spec, true).get().isEmpty() ? invalid : null;
        } catch (RuntimeException e) {
            return invalid;
        }
    }

    static long published(JsonNode time, String version) {
        JsonNode at = time.path(version);
        if (!at.isTextual()) {
            return 0;
        }
        try {
            return Instant.parse(at.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static String highest(ObjectNode versions, boolean prerelease) {
        Semver best = null;
        for (var it = versions.fieldNames(); it.hasNext(); ) {
            Semver s = Semver.parse(it.next());
            if (s != null && s.getPreRelease().isEmpty() != prerelease && (best == null || s.isGreaterThan(best))) {
                best = s;
            }
        }
        return best == null ? null : best.getVersion();
    }
}
