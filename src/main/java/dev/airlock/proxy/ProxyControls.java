package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.semver4j.Semver;

/**
 * The operators' decisions on upstream versions (docs/proxy.md, "Cooldown and blocks"): release one version before
 * its cooldown ends, block a version or range, lift a block, and say why a version is or is not served. Each decision
 * is audited in the transaction that stores it, and makes the name's served copies rebuild on their next read.
 */
public final class ProxyControls {
    private final Database db;
    private final ProxyStore store;
    private final AuditService audit;
    private final Clock clock;
    private final ProxyService proxy;
    private final ServedCopies copies;

    ProxyControls(
            Database db, ProxyStore store, AuditService audit, Clock clock, ProxyService proxy, ServedCopies copies) {
        this.copies = copies;
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.proxy = proxy;
    }

    /** Serves this version even while it is in the cooldown; false when it was already allowed. */
    public boolean allow(Actor actor, PackageName name, String version) {
        if (Semver.parse(version) == null) {
            throw new AirlockException(
                    ErrorCode.BAD_REQUEST, "Allow takes one version, e.g. " + name + "@1.2.3; got \"" + version + "\"");
        }
        return decide(actor, name, new Release.Rule("allow", version, null, actor.user(), clock.millis()));
    }

    /** Never serves the versions in this range (or this one version); false when the same block exists. */
    public boolean block(Actor actor, PackageName name, String range, String reason) {
        String invalid = Release.invalidRange(range);
        if (invalid != null) {
            throw new AirlockException(ErrorCode.BAD_REQUEST, "Block takes a version or a semver range: " + invalid);
        }
        if (reason == null || reason.isBlank()) {
            throw new AirlockException(ErrorCode.BAD_REQUEST, "Say why with --reason");
        }
        return decide(actor, name, new Release.Rule("block", range, reason.strip(), actor.user(), clock.millis()));
    }

    /** Lifts the block with exactly this range; a 404 naming the blocks there are when there is none. */
    public void unblock(Actor actor, PackageName name, String range) {
        String n = name.toString();
        db.write(tx -> {
            if (!store.deleteRule(tx, n, "block", range)) {
                List<String> blocks = store.rules(tx, n).stream()
                        .filter(r -> r.kind().equals("block"))
                        .map(Release.Rule::spec)
                        .toList();
                throw AirlockException.notFound("No block of " + n + "@" + range
                        + (blocks.isEmpty() ? "; it has none" : "; its blocks are " + String.join(", ", blocks)));
            }
            store.invalidate(tx, n);
            audit.record(tx, actor, "proxy.unblock", "package:" + n, Map.of("range", range));
            return null;
        });
    }

    private boolean decide(Actor actor, PackageName name, Release.Rule rule) {
        String n = name.toString();
        return db.write(tx -> {
            if (!store.putRule(tx, n, rule)) {
                return false;
            }
            store.invalidate(tx, n);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put(rule.kind().equals("allow") ? "version" : "range", rule.spec());
            if (rule.reason() != null) {
                detail.put("reason", rule.reason());
            }
            audit.record(tx, actor, "proxy." + rule.kind(), "package:" + n, detail);
            return true;
        });
    }

    /**
     * Why a version is or is not served, one sentence: served (and whether it was allowed early), hidden by the
     * cooldown until when, blocked by which range and why, or not a version the upstream has.
     */
    public String why(Actor actor, PackageName name, String version) {
        UpstreamScan.Summary doc = proxy.upstreamDocument(actor, name);
        String id = name + "@" + version;
        if (doc == null || !doc.has(version)) {
            return id + " is not a version the upstream registry has";
        }
        String n = name.toString();
        Map<String, Long> seen = db.read(tx -> store.seen(tx, n));
        List<Release.Rule> rules = db.read(tx -> store.rules(tx, n));
        boolean excluded = copies.excluded(name);
        JsonNode time = doc.time();
        Release.Decision d =
                Release.decide(version, time, seen.get(version), rules, copies.cooldown(), excluded, clock.millis());
        String ages = "published upstream " + at(d.published()) + ", first seen here " + at(d.firstSeen());
        return switch (d.state()) {
            case BLOCKED ->
                id + " is blocked by " + d.rule().spec() + " because "
                        + d.rule().reason() + " (by " + d.rule().actor() + " at "
                        + at(d.rule().at()) + ")";
            case COOLDOWN ->
                id + " is hidden by the cooldown (" + words(copies.cooldown()) + ") until " + at(d.eligibleAt()) + " ("
                        + ages + ")";
            case SERVED ->
                d.rule() != null
                        ? id + " is served: allowed early by " + d.rule().actor() + " at "
                                + at(d.rule().at())
                        : id + " is served ("
                                + (copies.cooldown().isZero()
                                        ? "no cooldown"
                                        : excluded ? "excluded from the cooldown by proxy.cooldownExclude" : ages)
                                + ")";
        };
    }

    /**
     * The blocks and allows in force, one line each ({@code block left-pad@>=1.3.0 <1.3.2 because CVE-… (by @cli at
     * …)}), for every name or only {@code name} (null = every name); empty when there are none.
     */
    public List<String> rules(PackageName name) {
        List<ProxyStore.NamedRule> all = db.read(tx -> name == null
                ? store.rules(tx)
                : store.rules(tx, name.toString()).stream()
                        .map(r -> new ProxyStore.NamedRule(name.toString(), r))
                        .toList());
        return all.stream()
                .map(n -> n.rule().kind() + " " + n.name() + "@" + n.rule().spec()
                        + (n.rule().reason() == null
                                ? ""
                                : " because " + n.rule().reason()) + " (by "
                        + n.rule().actor() + " at " + at(n.rule().at()) + ")")
                .toList();
    }

    private static String at(long millis) {
        return millis <= 0 ? "(unknown)" : Instant.ofEpochMilli(millis).toString();
    }

    /** A cooldown as configured: 72h, 3d, 30m (the largest whole unit). */
    static String words(java.time.Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
