package dev.airlock.audit;

import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reading the audit log (docs/audit.md, "Query"): the events a reader may see, by filter, in log order, a page at a
 * time. Who sees what: administrators (and the operator's command line) every event; an org's owners the events of
 * the org, its teams and the packages in its scope; a package's maintainers the events of that package; nobody else
 * anything. A package the reader cannot see at all is "not found", so asking never reveals that it exists.
 */
public final class AuditQueryService {
    private static final Set<String> SHOWN_FIRST =
            Set.of("v", "id", "at", "action", "outcome", "actor", "factor", "source", "target", "detail");
    private final Database db;
    private final AuditService audit;
    private final AuditAudience audience;
    private final Clock clock;
    private final JdbiAuditQuery store = new JdbiAuditQuery();

    public AuditQueryService(Database db, AuditService audit, AuditAudience audience, Clock clock) {
        this.db = db;
        this.audit = audit;
        this.audience = audience;
        this.clock = clock;
    }

    /** One page: the events, and the cursor for the next page ({@code after=}), null on the last. */
    public record Page(List<AuditEvent> events, Long next) {}

    /** Reads a filter from text parameters (see {@link AuditFilter#parse}); a 400 names the bad parameter. */
    public AuditFilter filter(UnaryOperator<String> param) {
        return AuditFilter.parse(param, clock.millis());
    }

    /** The first {@code f.limit()} events after {@code f.after()} that match and {@code viewer} may see. */
    public Page query(Actor viewer, AuditFilter f) {
        JdbiAuditQuery.Scope scope = scope(viewer, f);
        audit.integrate();
        List<AuditEvent> rows = db.read(tx -> store.find(tx, f, scope, f.limit() + 1, false));
        if (rows.size() <= f.limit()) {
            return new Page(List.copyOf(rows), null);
        }
        List<AuditEvent> page = List.copyOf(rows.subList(0, f.limit()));
        return new Page(page, page.get(page.size() - 1).seq());
    }

    /** The newest {@code f.limit()} matching events {@code viewer} may see, in log order ({@code audit tail}). */
    public List<AuditEvent> newest(Actor viewer, AuditFilter f) {
        JdbiAuditQuery.Scope scope = scope(viewer, f);
        audit.integrate();
        return db.read(tx -> store.find(tx, f, scope, f.limit(), true));
    }

    /** The targets {@code viewer} may see events of, narrowed to the filter's package. */
    JdbiAuditQuery.Scope scope(Actor viewer, AuditFilter f) {
        if (!viewer.authenticated()) {
            throw AirlockException.unauthorized("You must be logged in to read the audit log. Run `npm login` first.");
        }
        if (audience.admin(viewer)) {
            return JdbiAuditQuery.Scope.ALL;
        }
        if (f.pkg() != null && !audience.visible(viewer, f.pkg().toString())) {
            throw AirlockException.notFound("Package \"" + f.pkg() + "\" not found.");
        }
        Set<String> targets = new LinkedHashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (String p : audience.maintained(viewer)) {
            addPackage(viewer, targets, p);
        }
        for (String org : audience.ownedOrgs(viewer)) {
            targets.add("org:" + org);
            prefixes.add("team:" + org + ":");
            for (String p : audience.orgPackages(viewer, org)) {
                addPackage(viewer, targets, p);
            }
        }
        if (f.pkg() != null) {
            String only = "package:" + f.pkg();
            return new JdbiAuditQuery.Scope(false, targets.contains(only) ? List.of(only) : List.of(), List.of());
        }
        return new JdbiAuditQuery.Scope(false, List.copyOf(targets), List.copyOf(prefixes));
    }

    /** A package's events, when the reader's credential reaches the package (a granular token may be limited). */
    private static void addPackage(Actor viewer, Set<String> targets, String name) {
        if (viewer.reaches(PackageName.parse(name), false)) {
            targets.add("package:" + name);
        }
    }

    /**
     * The detail of an event on one line ({@code version=1.0.0 tag=latest}), the version first (what a reader looks
     * for), long values shortened, the line cut to about {@code max} characters.
     */
    public static String detailLine(AuditEvent e, int max) {
        StringBuilder b = new StringBuilder();
        List<Map.Entry<String, Object>> fields =
                new java.util.ArrayList<>(e.detail().entrySet());
        fields.sort(java.util.Comparator.comparing(d -> !"version".equals(d.getKey()))); // stable: the rest keep order
        for (Map.Entry<String, Object> d : fields) {
            if (b.length() > 0) {
                b.append(' ');
            }
            Object v = d.getValue();
            String text = v instanceof String || v == null ? String.valueOf(v) : Json.write(v);
            // a long value (an integrity hash) keeps its start, so the line still shows every field
            b.append(d.getKey()).append('=').append(text.length() <= 32 ? text : text.substring(0, 24) + "…");
        }
        String line = b.toString().replaceAll("\\s+", " ");
        return line.length() <= max ? line : line.substring(0, Math.max(0, max - 1)) + "…";
    }

    /**
     * An event as readers receive it: its log index, time, the entry's fields as recorded (whatever their version
     * holds: {@code actor}, {@code factor}, {@code source}, {@code detail}, …) and the exact entry text, whose bytes
     * are the Merkle leaf an inclusion proof ({@code /-/airlock/v1/log/proof/inclusion?index=SEQ}) starts from.
     */
    public static Map<String, Object> json(AuditEvent e) {
        Map<String, Object> entry = LogEntries.read(e.entry());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seq", e.seq());
        out.put("id", e.id());
        out.put("time", Instant.ofEpochMilli(e.at()).toString());
        out.put("at", e.at());
        out.put("action", e.action());
        out.put("outcome", e.outcome());
        out.put("actor", entry.get("actor"));
        if (entry.containsKey("factor")) {
            out.put("factor", entry.get("factor"));
        }
        out.put("source", entry.get("source"));
        out.put("target", e.target());
        out.put("detail", entry.getOrDefault("detail", Map.of()));
        entry.forEach((k, v) -> {
            if (!SHOWN_FIRST.contains(k)) {
                out.put(k, v);
            }
        });
        out.put("entry", e.entry());
        return out;
    }
}
