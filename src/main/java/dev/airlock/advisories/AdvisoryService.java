package dev.airlock.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * npm audit through this registry (docs/advisories.md). A bulk request ({@code {name: [versions]}}) is answered per
 * name: a local package (any state) and a name no upstream is routed to are answered from the local advisory store
 * alone; any other name is also asked of its upstream, and the two answers are merged. A name the caller may not see
 * is answered with nothing and never sent anywhere. When an upstream fails, its names are answered from the local
 * store alone and the answer says so ({@link Bulk#incomplete}).
 */
public final class AdvisoryService {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryService.class);

    /** The answer npm reads, and why it may lack advisories (null when every upstream asked answered). */
    public record Bulk(ObjectNode body, String incomplete) {}

    private final Database db;
    private final AdvisoryStore store;
    private final PackageService packages;
    private final AdvisoryRouting routing;
    private final boolean anonymousRead;
    private final AdvisoryImport imports;

    private AdvisoryService(
            Database db,
            PackageService packages,
            AdvisoryRouting routing,
            AuditService audit,
            Clock clock,
            boolean anonymousRead) {
        this.db = db;
        this.store = new JdbiAdvisoryStore();
        this.packages = packages;
        this.routing = routing;
        this.anonymousRead = anonymousRead;
        this.imports = new AdvisoryImport(db, store, audit, clock);
    }

    public static AdvisoryService create(
            Database db,
            PackageService packages,
            AdvisoryRouting routing,
            AuditService audit,
            Clock clock,
            boolean anonymousRead) {
        return new AdvisoryService(db, packages, routing, audit, clock, anonymousRead);
    }

    /** {@code ./airlock advisories import DIR}: every OSV file under the directory, audited. */
    public AdvisoryImport.Summary importDirectory(Actor actor, Path dir) {
        return imports.importDirectory(actor, dir);
    }

    /** How many advisories the local store holds. */
    public int count() {
        return db.read(store::count);
    }

    /** The answer to {@code POST /-/npm/v1/security/advisories/bulk}. */
    public Bulk bulk(Actor actor, JsonNode request) {
        if (!actor.authenticated() && !anonymousRead) {
            throw new AirlockException(
                    ErrorCode.UNAUTHORIZED, "You must be logged in to audit against this registry. Run `npm login`.");
        }
        Map<String, List<String>> wanted = parse(request);
        Map<AdvisorySource, Map<String, List<String>>> upstreamRequests = new LinkedHashMap<>();
        Map<String, List<String>> answered = new LinkedHashMap<>();
        wanted.forEach((name, versions) -> {
            PackageName parsed = validName(name);
            if (parsed == null) {
                answered.put(name, versions); // not a name a registry serves: nothing to ask anyone
                return;
            }
            PackageService.Visibility local = packages.visibility(actor, parsed);
            if (local == PackageService.Visibility.HIDDEN) {
                return; // a package this caller may not see: no answer, and its name goes nowhere
            }
            answered.put(name, versions);
            AdvisorySource upstream = local == PackageService.Visibility.ABSENT ? routing.upstreamFor(parsed) : null;
            if (upstream != null) {
                upstreamRequests
                        .computeIfAbsent(upstream, u -> new LinkedHashMap<>())
                        .put(name, versions);
            }
        });
        Map<String, List<Advisory>> stored = db.read(tx -> store.affecting(tx, answered.keySet()));
        ObjectNode out = Json.object();
        List<String> missing = new ArrayList<>();
        upstreamRequests.forEach((upstream, names) -> {
            try {
                ObjectNode theirs = upstream.bulk(names);
                names.keySet().forEach(name -> {
                    if (theirs.path(name).isArray()) {
                        theirs.get(name).forEach(a -> {
                            if (a.isObject()) {
                                list(out, name).add(a);
                            }
                        });
                    }
                });
            } catch (AdvisorySource.Unavailable e) {
                LOG.warn(
                        "Upstream {} did not answer the advisories of {} packages; answered from the local store: {}",
                        upstream.describe(),
                        names.size(),
                        e.getMessage());
                missing.add(upstream.describe() + " (" + e.getMessage() + ")");
            }
        });
        answered.forEach((name, versions) -> addLocal(out, name, versions, stored.getOrDefault(name, List.of())));
        return new Bulk(
                out,
                missing.isEmpty()
                        ? null
                        : "advisories of the upstream registry are missing, only the local store answered: "
                                + String.join("; ", missing));
    }

    /** Adds the stored advisories that cover one of the versions, unless the upstream already named them. */
    private static void addLocal(ObjectNode out, String name, List<String> versions, List<Advisory> advisories) {
        Set<String> known = new HashSet<>();
        out.path(name).forEach(a -> known.add(a.path("url").asText()));
        for (Advisory a : advisories) {
            String range = a.ranges().get(name);
            if (!known.contains(a.url()) && versions.stream().anyMatch(v -> Ranges.satisfies(v, range))) {
                list(out, name).add(a.bulkEntry(name));
            }
        }
    }

    private static ArrayNode list(ObjectNode out, String name) {
        JsonNode list = out.get(name);
        return list instanceof ArrayNode a ? a : out.putArray(name);
    }

    private static PackageName validName(String name) {
        try {
            return PackageName.parse(name);
        } catch (AirlockException e) {
            return null;
        }
    }

    /** npm's request: an object of names, each with an array of version strings. */
    private static Map<String, List<String>> parse(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw AirlockException.badRequest("Expected {\"package-name\": [\"version\", …]}");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (var e : request.properties()) {
            if (!e.getValue().isArray()) {
                throw AirlockException.badRequest(
                        "Expected an array of versions for " + e.getKey() + " ({\"package-name\": [\"version\", …]})");
            }
            List<String> versions = new ArrayList<>();
            e.getValue().forEach(v -> {
                if (v.isTextual()) {
                    versions.add(v.asText());
                }
            });
            out.put(e.getKey(), versions);
        }
        return out;
    }
}
