package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditService;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.TarballRef;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.npm.RegistryClient;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.signing.ProxySignatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream proxy (docs/proxy.md): packuments and tarballs of names that do not exist here, fetched on demand from
 * the first upstream registry whose patterns match the name, cached, and served like local ones. Packuments and
 * tarballs are asked for local first: a name with a local package in any state is never proxied (a local package
 * wins completely); names the guard declares internal ({@code proxy.internal}, scopes of local orgs and users) are
 * never fetched. A cached copy is served only while its name is still routed to the upstream it came from. A tarball
 * is stored only after its bytes match the packument's integrity/shasum. A cached packument is revalidated after its
 * upstream's max age; when the upstream fails it is served stale. Concurrent misses for one name or tarball make one
 * upstream request; an upstream 404 is remembered for {@code proxy.notFoundSeconds}.
 */
public final class ProxyService {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyService.class);

    /**
     * A packument to send: its bytes (gzip or not), ETag, whether it is stale (the upstream could not be asked), and
     * what it hides ("2 versions (cooldown 1, blocked 1)", the {@code Airlock-Hidden} header; null when nothing).
     */
    public record Served(byte[] body, boolean gzip, String etag, boolean stale, String hidden) {}

    /** What {@link #purge} forgot: cached packuments, tarballs, and blob files deleted with them. */
    public record Purged(long packuments, long tarballs, long blobFiles) {}

    /** A proxied tarball in the blob store. */
    public record Tarball(String blob, long size) {}

    /** Upstream failures since start, consecutive ones now, and whether the circuit breaker is open. */
    public record Health(long failures, int consecutiveFailures, boolean breakerOpen) {}

    private final Database db;
    private final BlobStore blobs;
    private final PackageService packages;
    private final ProxyStore store = new JdbiProxyStore();
    private final Upstreams upstreams;
    private final Clock clock;
    private final SingleFlight flights = new SingleFlight();
    private final Prefetcher prefetcher;
    private final Misses misses;
    private final Downloads downloads;
    private final ServedCopies copies;
    private final ProxyControls controls;
    private final AuditService audit;
    private final UpstreamKeys upstreamKeys;
    private volatile Runnable onPurged = () -> {};

    private ProxyService(
            AirlockConfig.Proxy config,
            Database db,
            BlobStore blobs,
            PackageService packages,
            Path spoolDir,
            long maxTarballBytes,
            boolean anonymousRead,
            InternalNames internal,
            Supplier<String> base,
            Clock clock,
            AuditService audit,
            ProxySignatures signatures) {
        this.db = db;
        this.blobs = blobs;
        this.packages = packages;
        this.upstreams = new Upstreams(config, internal, anonymousRead, spoolDir, clock);
        this.clock = clock;
        this.misses = new Misses(clock, config.notFoundSeconds() * 1000L);
        this.prefetcher = new Prefetcher(config.prefetch());
        this.downloads = new Downloads(db, blobs, store, clock, maxTarballBytes);
        this.copies = new ServedCopies(
                db, store, base, clock, spoolDir, config.cooldown(), config.cooldownExclude(), signatures);
        this.upstreamKeys = new UpstreamKeys(db, signatures, clock);
        this.controls = new ProxyControls(db, store, audit, clock, this, copies);
        this.audit = audit;
    }

    /**
     * Null when no upstream is configured. {@code scopeOwner} tells, in the caller's read, whether a scope is a local
     * org's ("org") or user's ("user") or neither (null): the guard; {@code base} is the public URL tarball URLs start
     * with; {@code signatures} signs the versions upstreams left unsigned and keeps their keys (docs/adr/0010).
     */
    public static ProxyService create(
            AirlockConfig.Proxy config,
            Database db,
            BlobStore blobs,
            PackageService packages,
            Path spoolDir,
            long maxTarballBytes,
            boolean anonymousRead,
            BiFunction<Tx, String, String> scopeOwner,
            Supplier<String> base,
            Clock clock,
            AuditService audit,
            ProxySignatures signatures) {
        if (!config.enabled()) {
            return null;
        }
        ProxyService proxy = new ProxyService(
                config,
                db,
                blobs,
                packages,
                spoolDir,
                maxTarballBytes,
                anonymousRead,
                new InternalNames(config.internal(), scopeOwner::apply),
                base,
                clock,
                audit,
                signatures);
        if (config.upstreams().isEmpty()) {
            // the short form: copies cached before their upstream was recorded came from this one
            db.write(tx -> {
                proxy.store.adopt(tx, proxy.upstreams.first().url());
                return null;
            });
        }
        return proxy;
    }

    /**
     * A packument to send, local first: the local package's document when the name exists here in any state (404 when
     * the reader may not see it: a local package wins completely), else the proxied one from the cache or the
     * upstream; 404 when internal. A warm read is one statement: the local miss, the guard's scope lookup and the
     * cached variant are read together (docs/adr/0009-one-statement-per-warm-read.md).
     */
    public Served packument(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        PackageService.ServedDocument hot = packages.cached(actor, name, abbreviated, gzip); // local, in memory
        if (hot != null) {
            return copied(hot);
        }
        String n = name.toString();
        String scope = name.scoped() ? name.scope() : null;
        Read<ProxyStore.Cached> read = db.read(tx -> {
            ProxyStore.WarmPackument w = store.warmPackument(tx, n, scope, abbreviated, gzip);
            return w.local() != null
                    ? new Read<>(packages.visibleDocument(tx, actor, w.local(), abbreviated, gzip), null, null, null)
                    : new Read<>(null, null, upstreams.route(actor, name, w.scopeOwner()), w.cached());
        });
        if (read.local() != null) {
            return copied(read.local());
        }
        Fetched f = fetched(actor, read.route(), read.row(), name, abbreviated, gzip);
        ProxyStore.Served doc = abbreviated ? f.cached.abbreviated() : f.cached.full();
        String hidden = Release.summary(f.cached.hidden());
        return gzip
                ? new Served(doc.gzip(), true, doc.etag(), f.stale, hidden)
                : new Served(doc.json(), false, doc.etag(), f.stale, hidden);
    }

    /** A local document's bytes, copied out of memory (which is let go). */
    private static Served copied(PackageService.ServedDocument local) {
        try {
            return new Served(local.body(), local.gzip(), local.etag(), false, null);
        } finally {
            local.release();
        }
    }

    /** One version's manifest, by version or dist-tag (the path /name/version). */
    public JsonNode versionManifest(Actor actor, PackageName name, String versionOrTag) {
        JsonNode manifest = ProxyDocuments.version(
                fetched(actor, name, false, false).cached.full().json(), versionOrTag);
        if (manifest == null) {
            throw AirlockException.notFound("Version not found: " + name + "@" + versionOrTag);
        }
        return manifest;
    }

    /**
     * A tarball, local first as {@link #packument}; a proxied one from the blob store, or fetched from the upstream
     * the packument came from, verified against the packument, then stored. A version the served packument hides
     * (cooldown, block) answers 404 even when its tarball is stored. A warm read is one statement (the local miss,
     * the guard's scope lookup, the packument's hidden versions and the tarball's row).
     */
    public Tarball tarball(Actor actor, PackageName name, String version) {
        String n = name.toString();
        String scope = name.scoped() ? name.scope() : null;
        Read<ProxyStore.TarballState> read = db.read(tx -> {
            ProxyStore.WarmTarball w = store.warmTarball(tx, n, scope, version);
            return w.local() != null
                    ? new Read<>(null, packages.visibleTarball(tx, actor, w.local(), version), null, null)
                    : new Read<>(null, null, upstreams.route(actor, name, w.scopeOwner()), w.state());
        });
        if (read.tarball() != null) {
            return new Tarball(read.tarball().blob(), read.tarball().size());
        }
        Route route = read.route();
        ProxyStore.TarballState state = read.row();
        Set<String> hidden = state == null ? null : copies.hiddenVersions(name, route.url(), state.hidden());
        if (hidden != null) {
            notHidden(hidden, name, version);
            Tarball stored = state.tarball() == null ? null : downloads.stored(route, state.tarball());
            if (stored != null) {
                return stored;
            }
        }
        ProxyStore.Cached cached = fetched(actor, name, true, true).cached;
        notHidden(Release.hiddenVersions(cached.hidden()), name, version);
        UpstreamScan.Dist dist = db.read(tx -> store.dist(tx, n, version));
        if (dist == null) {
            dist = legacyDist(name, version);
        }
        if (dist == null) {
            throw AirlockException.notFound("Tarball not found: " + name + "@" + version);
        }
        UpstreamScan.Dist d = dist;
        return flights.run("tarball " + name + "@" + version, () -> downloads.download(route, name, version, d));
    }

    /** A version's dist for a packument stored before dists were kept with it (they are stored now). */
    private UpstreamScan.Dist legacyDist(PackageName name, String version) {
        ProxyStore.Cached whole = db.read(tx -> store.packument(tx, name.toString()));
        UpstreamScan.Summary doc = whole == null ? null : UpstreamScan.scan(whole.upstreamGz(), name);
        if (doc == null || !doc.has(version)) {
            return null;
        }
        db.writeCopy(tx -> {
            store.putDists(tx, name.toString(), doc.dists());
            return null;
        });
        return doc.dists().get(version);
    }

    private static void notHidden(Set<String> hidden, PackageName name, String version) {
        if (hidden.contains(version)) {
            throw AirlockException.notFound("Tarball not found: " + name + "@" + version
                    + " is not served by this registry (cooldown or block; see ./airlock proxy why)");
        }
    }

    /** Allow, block, unblock, why and rules (the {@code ./airlock proxy} commands). */
    public ProxyControls controls() {
        return controls;
    }

    /** The upstream document of a name as cached (fetched first when needed), for {@code ./airlock proxy why}. */
    UpstreamScan.Summary upstreamDocument(Actor actor, PackageName name) {
        fetched(actor, name, true, true);
        ProxyStore.Cached whole = db.read(tx -> store.packument(tx, name.toString()));
        return whole == null ? null : UpstreamScan.scan(whole.upstreamGz(), name);
    }

    /**
     * The URL (with a trailing slash) of the upstream registry that serves this name; empty when none does: the name
     * is internal (never sent upstream), matches no upstream's patterns, or is not a package name.
     */
    public Optional<URI> routeFor(String name) {
        return clientFor(name).map(RegistryClient::registry);
    }

    /**
     * The client of the upstream that serves this name (its token goes to that upstream's origin only), for requests
     * other than packuments and tarballs, such as audit; empty as for {@link #routeFor}.
     */
    public Optional<RegistryClient> clientFor(String name) {
        return db.read(tx -> upstreams.client(tx, name));
    }

    public InputStream open(Tarball tarball) {
        try {
            return blobs.open(tarball.blob());
        } catch (IOException e) {
            throw new UncheckedIOException("tarball blob missing: " + tarball.blob(), e);
        }
    }

    /**
     * Forgets the cached copies of these names, or of every name when {@code names} is empty (the {@code ./airlock proxy
     * purge} command): the next read fetches them from the upstream again. Audited; the operators' blocks and allows
     * and the first-seen times the cooldown counts from are kept. The blobs of the forgotten tarballs are deleted
     * unless a local version or another cached tarball has the same bytes.
     */
    /** Runs {@code hook} after each purge (the assembly tells the other nodes to forget their misses too). */
    public void onPurged(Runnable hook) {
        this.onPurged = hook;
    }

    /** Forgets the upstream 404s remembered in this node's memory (a purge on another node). */
    public void forgetMisses() {
        misses.clear();
    }

    public Purged purge(Actor actor, List<PackageName> names) {
        List<String> targets = names.isEmpty()
                ? Collections.singletonList(null)
                : names.stream().map(PackageName::toString).toList();
        List<ProxyStore.Purged> done = db.write(tx -> {
            List<ProxyStore.Purged> out = new ArrayList<>();
            for (String n : targets) {
                ProxyStore.Purged p = store.purge(tx, n);
                out.add(p);
                audit.record(
                        tx,
                        actor,
                        "proxy.purge",
                        n == null ? "registry" : "package:" + n,
                        Map.of("packuments", p.packuments(), "tarballs", p.tarballs()));
            }
            return out;
        });
        misses.clear();
        onPurged.run();
        Set<String> kept = new HashSet<>(packages.referencedBlobs());
        kept.addAll(referencedBlobs());
        long deleted = 0;
        for (ProxyStore.Purged p : done) {
            for (String blob : p.blobs()) {
                try {
                    if (!kept.contains(blob) && blobs.exists(blob)) {
                        blobs.delete(blob);
                        deleted++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete blob " + blob, e);
                }
            }
        }
        return new Purged(
                done.stream().mapToLong(ProxyStore.Purged::packuments).sum(),
                done.stream().mapToLong(ProxyStore.Purged::tarballs).sum(),
                deleted);
    }

    /** Blob keys of proxied tarballs (the orphan sweep keeps them). */
    public Set<String> referencedBlobs() {
        return db.read(tx -> Set.copyOf(store.blobs(tx)));
    }

    /** Whether a cached tarball refers to the blob {@code key} now (the sweep's check right before it deletes). */
    public boolean referencesBlob(String key) {
        return db.read(tx -> store.referencesBlob(tx, key));
    }

    /** All upstreams together: failures summed, the longest run of failures, whether any breaker is open. */
    public Health health() {
        return upstreams.health();
    }

    /** Each upstream's own counters and breaker, by URL, in routing order. */
    public Map<String, Health> healthByUpstream() {
        return upstreams.healthByUpstream();
    }

    /** The upstreams' URLs in routing order, for the start-up log. */
    public String upstream() {
        return upstreams.describe();
    }

    private record Fetched(ProxyStore.Cached cached, boolean stale) {}

    /** A local document or tarball, or the route the guard allowed and the cached row: read on one connection. */
    private record Read<T>(PackageService.ServedDocument local, TarballRef tarball, Route route, T row) {}

    /** The cached row when it came from this route's upstream; a copy from another upstream is not served. */
    private static ProxyStore.Cached ours(Route route, ProxyStore.Cached row) {
        return row != null && route.url().equals(row.upstream()) ? row : null;
    }

    /**
     * The cached packument with the variant asked for (a warm read selects only that one), refreshed from the upstream
     * first when it is older than the upstream's max age; served stale when the upstream fails.
     */
    private Fetched fetched(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        String n = name.toString();
        Read<ProxyStore.Cached> read = db.read(tx ->
                new Read<>(null, null, upstreams.route(tx, actor, name), store.variant(tx, n, abbreviated, gzip)));
        return fetched(actor, read.route(), read.row(), name, abbreviated, gzip);
    }

    private Fetched fetched(
            Actor actor, Route route, ProxyStore.Cached row, PackageName name, boolean abbreviated, boolean gzip) {
        String n = name.toString();
        ProxyStore.Cached cached = ours(route, row);
        if (cached != null && fresh(route, cached)) {
            return new Fetched(copies.current(cached, name), false);
        }
        if (cached == null && misses.known(route.url(), n)) {
            throw AirlockException.notFound("Not found: " + name);
        }
        try {
            ProxyStore.Cached c =
                    flights.run("packument " + name, () -> refresh(actor, route, name, abbreviated, gzip));
            ProxyStore.Served v = abbreviated ? c.abbreviated() : c.full();
            if ((gzip ? v.gzip() : v.json()) == null) {
                // another request led the single flight and read the variant it wanted: read this one
                ProxyStore.Cached again = db.read(tx -> store.variant(tx, n, abbreviated, gzip));
                c = again == null ? c : copies.current(again, name);
            }
            return new Fetched(c, false);
        } catch (Upstream.Failure e) {
            ProxyStore.Cached stale = ours(route, db.read(tx -> store.variant(tx, n, abbreviated, gzip)));
            if (stale != null) {
                LOG.warn("Serving {} stale: {}", name, e.getMessage());
                return new Fetched(copies.current(stale, name), true);
            }
            throw new AirlockException(
                    e.timeout ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + route.url() + " is unreachable and " + name + " is not cached here: "
                            + e.getMessage() + ". Try again later.");
        }
    }

    private boolean fresh(Route route, ProxyStore.Cached c) {
        return clock.millis() - c.fetchedAt() < route.maxAgeMillis();
    }

    /**
     * One upstream request (the caller holds the name's single flight): 200 stores, 304 refreshes, 404 forgets the
     * name and remembers the miss. A copy cached from another upstream is replaced, and its tarballs forgotten.
     */
    private ProxyStore.Cached refresh(Actor actor, Route route, PackageName name, boolean abbreviated, boolean gzip) {
        String n = name.toString();
        ProxyStore.Cached row = db.read(tx -> store.variant(tx, n, abbreviated, gzip));
        ProxyStore.Cached cached = ours(route, row);
        if (cached != null && fresh(route, cached)) {
            return copies.current(cached, name); // another request refreshed it while this one waited
        }
        if (cached == null && misses.known(route.url(), n)) {
            throw AirlockException.notFound("Not found: " + name); // another request was told 404 meanwhile
        }
        if (route.open()) {
            throw new Upstream.Failure("the circuit breaker is open after repeated failures", false, null);
        }
        Upstream.Answer answer;
        try {
            answer = cached == null
                    ? route.upstream().packument(n, null, null)
                    : route.upstream().packument(n, cached.upstreamEtag(), cached.upstreamLastModified());
        } catch (Upstream.Failure e) {
            route.failed(n, e);
            throw e;
        }
        route.success();
        if (answer.status() == 404) {
            misses.remember(route.url(), n);
            if (row != null) {
                db.writeCopy(tx -> {
                    store.deletePackument(tx, n);
                    return null;
                });
            }
            throw AirlockException.notFound("Not found: " + name);
        }
        long now = clock.millis();
        if (answer.status() == 304 && cached != null) {
            db.writeCopy(tx -> {
                store.touch(tx, n, now);
                return null;
            });
            return copies.current(cached, name);
        }
        UpstreamScan.Summary doc = answer.gz() == null ? null : UpstreamScan.scan(answer.gz(), name);
        if (doc == null) {
            Upstream.Failure e =
                    new Upstream.Failure(route.url() + " did not answer with a packument of " + name, false, null);
            route.failed(n, e);
            throw e;
        }
        if (row != null && cached == null) {
            db.writeCopy(tx -> {
                store.deleteTarballs(tx, n); // fetched from the upstream that served the name before
                return null;
            });
        }
        upstreamKeys.refresh(route, doc.keyids());
        ProxyStore.Cached saved =
                copies.save(name, answer.gz(), doc, answer.etag(), answer.lastModified(), now, route.url(), true);
        // the client resolving this package asks for these next: fetch them meanwhile, as this reader
        prefetcher.prefetch(doc.latestDependencies(), dep -> packument(actor, dep, true, true));
        return saved;
    }

    /** Stops the prefetch threads (the server is shutting down). */
    public void stop() {
        prefetcher.stop();
    }

    /** The registry keys of the configured upstreams, for {@code /-/npm/v1/keys} after this registry's own. */
    public List<dev.airlock.signing.RegistryKey> upstreamKeys() {
        return upstreamKeys.served(upstreams.all());
    }
}
