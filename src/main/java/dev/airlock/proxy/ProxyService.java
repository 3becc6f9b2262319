package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.crypto.Checksums;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.RegistryClient;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream proxy (docs/proxy.md): packuments and tarballs of names that do not exist here, fetched on demand from
 * the upstream registry, cached, and served like local ones. It is asked only for names with no local package in any
 * state (the packages adapter checks that first: a local package wins completely); names the guard declares internal
 * ({@code proxy.internal}, scopes of local orgs) are never fetched. A tarball is stored only after its bytes match
 * the packument's integrity/shasum. A cached packument is revalidated after {@code proxy.maxAgeSeconds}; when the
 * upstream fails it is served stale. Concurrent misses for one name or tarball make one upstream request.
 */
public final class ProxyService {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyService.class);
    static final int BREAKER_THRESHOLD = 5;
    static final long BREAKER_OPEN_MILLIS = 30_000;

    /**
     * A packument to send: its bytes (gzip or not), ETag, whether it is stale (the upstream could not be asked), and
     * what it hides ("2 versions (cooldown 1, blocked 1)", the {@code Airlock-Hidden} header; null when nothing).
     */
    public record Served(byte[] body, boolean gzip, String etag, boolean stale, String hidden) {}

    /** A proxied tarball in the blob store. */
    public record Tarball(String blob, long size) {}

    /** Upstream failures since start, consecutive ones now, and whether the circuit breaker is open. */
    public record Health(long failures, int consecutiveFailures, boolean breakerOpen) {}

    private final Database db;
    private final BlobStore blobs;
    private final ProxyStore store;
    private final Upstream upstream;
    private final InternalNames internal;
    private final Clock clock;
    private final long maxAgeMillis;
    private final long maxTarballBytes;
    private final boolean anonymousRead;
    private final SingleFlight flights = new SingleFlight();
    private final CircuitBreaker breaker;
    private final ServedCopies copies;
    private final ProxyControls controls;

    private ProxyService(
            Database db,
            BlobStore blobs,
            Upstream upstream,
            InternalNames internal,
            Supplier<String> base,
            Clock clock,
            long maxAgeMillis,
            long maxTarballBytes,
            boolean anonymousRead,
            AirlockConfig.Proxy config,
            AuditService audit) {
        this.db = db;
        this.blobs = blobs;
        this.store = new JdbiProxyStore();
        this.upstream = upstream;
        this.internal = internal;
        this.clock = clock;
        this.maxAgeMillis = maxAgeMillis;
        this.maxTarballBytes = maxTarballBytes;
        this.anonymousRead = anonymousRead;
        this.breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_OPEN_MILLIS, clock);
        this.copies = new ServedCopies(db, store, base, clock, config.cooldown(), config.cooldownExclude());
        this.controls = new ProxyControls(db, store, audit, clock, this, copies);
    }

    /**
     * Null when {@code proxy.upstream} is not set. {@code orgExists} tells whether a scope is a local org (the guard);
     * {@code base} is the public URL tarball URLs start with.
     */
    public static ProxyService create(
            AirlockConfig.Proxy config,
            Database db,
            BlobStore blobs,
            Path spoolDir,
            long maxTarballBytes,
            boolean anonymousRead,
            Predicate<String> orgExists,
            Supplier<String> base,
            Clock clock,
            AuditService audit) {
        if (!config.enabled()) {
            return null;
        }
        RegistryClient client = new RegistryClient(
                URI.create(config.upstream()),
                config.token(),
                Duration.ofSeconds(config.timeoutSeconds()),
                "airlock-proxy",
                " (the upstream wants a token: set proxy.token)");
        return new ProxyService(
                db,
                blobs,
                new Upstream(client, spoolDir),
                new InternalNames(config.internal(), orgExists),
                base,
                clock,
                config.maxAgeSeconds() * 1000L,
                maxTarballBytes,
                anonymousRead,
                config,
                audit);
    }

    /** The packument of a name that does not exist locally, from the cache or the upstream; 404 when internal. */
    public Served packument(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        Fetched f = fetched(actor, name);
        ProxyStore.Served doc = abbreviated ? f.cached.abbreviated() : f.cached.full();
        String hidden = Release.summary(f.cached.hidden());
        return gzip
                ? new Served(doc.gzip(), true, doc.etag(), f.stale, hidden)
                : new Served(doc.json(), false, doc.etag(), f.stale, hidden);
    }

    /** One version's manifest, by version or dist-tag (the path /name/version). */
    public JsonNode versionManifest(Actor actor, PackageName name, String versionOrTag) {
        JsonNode doc = Json.parse(fetched(actor, name).cached.full().json());
        String version = doc.path("dist-tags").path(versionOrTag).asText(versionOrTag);
        JsonNode manifest = doc.path("versions").get(version);
        if (manifest == null) {
            throw AirlockException.notFound("Version not found: " + name + "@" + versionOrTag);
        }
        return manifest;
    }

    /**
     * A proxied tarball: from the blob store, or fetched, verified against the packument, then stored. A version the
     * served packument hides (cooldown, block) answers 404 even when its tarball is stored.
     */
    public Tarball tarball(Actor actor, PackageName name, String version) {
        guard(actor, name);
        Set<String> hidden = copies.hiddenVersions(name);
        if (hidden != null) {
            notHidden(hidden, name, version);
            ProxyStore.Tarball row = db.read(tx -> store.tarball(tx, name.toString(), version));
            if (row != null && blobs.exists(row.blob())) {
                return new Tarball(row.blob(), row.size());
            }
        }
        ProxyStore.Cached cached = fetched(actor, name).cached;
        notHidden(Release.hiddenVersions(cached.hidden()), name, version);
        ObjectNode doc = ProxyDocuments.parse(cached.upstreamJson(), name);
        JsonNode manifest = doc == null ? null : doc.path("versions").get(version);
        if (manifest == null) {
            throw AirlockException.notFound("Tarball not found: " + name + "@" + version);
        }
        return flights.run("tarball " + name + "@" + version, () -> download(name, version, manifest.path("dist")));
    }

    private static void notHidden(Set<String> hidden, PackageName name, String version) {
        if (hidden.contains(version)) {
            throw AirlockException.notFound("Tarball not found: " + name + "@" + version
                    + " is not served by this registry (cooldown or block; see ./airlock proxy why)");
        }
    }

    /** Allow, block, unblock and why (the {@code ./airlock proxy} commands). */
    public ProxyControls controls() {
        return controls;
    }

    /** The upstream document of a name as cached (fetched first when needed), for {@code ./airlock proxy why}. */
    ObjectNode upstreamDocument(Actor actor, PackageName name) {
        return ProxyDocuments.parse(fetched(actor, name).cached.upstreamJson(), name);
    }

    public InputStream open(Tarball tarball) {
        try {
            return blobs.open(tarball.blob());
        } catch (IOException e) {
            throw new UncheckedIOException("tarball blob missing: " + tarball.blob(), e);
        }
    }

    /** Blob keys of proxied tarballs (the orphan sweep keeps them). */
    public Set<String> referencedBlobs() {
        return db.read(tx -> Set.copyOf(store.blobs(tx)));
    }

    public Health health() {
        return new Health(breaker.failures(), breaker.consecutive(), breaker.open());
    }

    public String upstream() {
        return upstream.describe();
    }

    /** Why the guard never sends this name upstream ({@code proxy.internal}, a local org's scope), or null. */
    public String internalReason(PackageName name) {
        return internal.why(name);
    }

    private record Fetched(ProxyStore.Cached cached, boolean stale) {}

    private void guard(Actor actor, PackageName name) {
        if (!actor.authenticated() && !anonymousRead) {
            throw AirlockException.notFound("Not found: " + name);
        }
        String why = internal.why(name);
        if (why != null) {
            throw AirlockException.notFound(
                    "Not found: " + name + " (not fetched from the upstream registry: " + why + "; publish it here)");
        }
    }

    private Fetched fetched(Actor actor, PackageName name) {
        guard(actor, name);
        ProxyStore.Cached cached = db.read(tx -> store.packument(tx, name.toString()));
        if (cached != null && fresh(cached)) {
            return new Fetched(copies.current(cached, name), false);
        }
        try {
            return new Fetched(flights.run("packument " + name, () -> refresh(name)), false);
        } catch (Upstream.Failure e) {
            ProxyStore.Cached stale = db.read(tx -> store.packument(tx, name.toString()));
            if (stale != null) {
                LOG.warn("Serving {} stale: {}", name, e.getMessage());
                return new Fetched(copies.current(stale, name), true);
            }
            throw new AirlockException(
                    e.timeout ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + upstream.describe() + " is unreachable and " + name
                            + " is not cached here: " + e.getMessage() + ". Try again later.");
        }
    }

    private boolean fresh(ProxyStore.Cached c) {
        return clock.millis() - c.fetchedAt() < maxAgeMillis;
    }

    /** One upstream request (the caller holds the name's single flight): 200 stores, 304 refreshes, 404 forgets. */
    private ProxyStore.Cached refresh(PackageName name) {
        ProxyStore.Cached cached = db.read(tx -> store.packument(tx, name.toString()));
        if (cached != null && fresh(cached)) {
            return copies.current(cached, name); // another request refreshed it while this one waited
        }
        if (breaker.open()) {
            throw new Upstream.Failure("the circuit breaker is open after repeated failures", false, null);
        }
        Upstream.Answer answer;
        try {
            answer = cached == null
                    ? upstream.packument(name.toString(), null, null)
                    : upstream.packument(name.toString(), cached.upstreamEtag(), cached.upstreamLastModified());
        } catch (Upstream.Failure e) {
            failed(name.toString(), e);
            throw e;
        }
        breaker.success();
        if (answer.status() == 404) {
            if (cached != null) {
                db.write(tx -> {
                    store.deletePackument(tx, name.toString());
                    return null;
                });
            }
            throw AirlockException.notFound("Not found: " + name);
        }
        long now = clock.millis();
        if (answer.status() == 304 && cached != null) {
            db.write(tx -> {
                store.touch(tx, name.toString(), now);
                return null;
            });
            return copies.current(cached, name);
        }
        ObjectNode doc = answer.body() == null ? null : ProxyDocuments.parse(answer.body(), name);
        if (doc == null) {
            Upstream.Failure e = new Upstream.Failure(
                    upstream.describe() + " did not answer with a packument of " + name, false, null);
            failed(name.toString(), e);
            throw e;
        }
        return copies.save(name, answer.body(), doc, answer.etag(), answer.lastModified(), now);
    }

    private Tarball download(PackageName name, String version, JsonNode dist) {
        ProxyStore.Tarball row = db.read(tx -> store.tarball(tx, name.toString(), version));
        if (row != null && blobs.exists(row.blob())) {
            return new Tarball(row.blob(), row.size());
        }
        if (breaker.open()) {
            throw new AirlockException(
                    ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + upstream.describe() + " is unreachable (repeated failures) and " + name
                            + "@" + version + " is not cached here. Try again later.");
        }
        String integrity = dist.path("integrity").asText(null);
        String shasum = dist.path("shasum").asText(null);
        String id = name + "@" + version;
        try (Spool tgz = upstream.tarball(dist.path("tarball").asText(null), maxTarballBytes)) {
            breaker.success();
            Checksums sums = Checksums.of(tgz);
            String mismatch = sums.mismatch(integrity, shasum, "upstream packument");
            if (mismatch != null) {
                LOG.error("Refused the upstream tarball of {}: {}", id, mismatch);
                throw new AirlockException(
                        ErrorCode.BAD_GATEWAY,
                        "The upstream registry served a tarball of " + id + " that does not match its packument ("
                                + mismatch + "); it was not stored.");
            }
            String blob = Hashes.hex(sums.digests().get("sha512"));
            if (tgz.inMemory()) {
                blobs.put(blob, tgz.bytes());
            } else {
                blobs.put(blob, tgz.open());
            }
            ProxyStore.Tarball stored = new ProxyStore.Tarball(
                    name.toString(), version, blob, tgz.size(), integrity != null ? integrity : sums.sha512());
            db.write(tx -> {
                store.putTarball(tx, stored, clock.millis());
                return null;
            });
            return new Tarball(blob, tgz.size());
        } catch (Upstream.Failure e) {
            failed(id, e);
            throw new AirlockException(
                    e.timeout ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + upstream.describe() + " did not deliver the tarball of " + id + ": "
                            + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void failed(String what, Upstream.Failure e) {
        if (breaker.failure()) {
            LOG.error(
                    "Upstream {} failed {} times in a row; not asking it for {}s",
                    upstream.describe(),
                    BREAKER_THRESHOLD,
                    BREAKER_OPEN_MILLIS / 1000);
        }
        LOG.warn("Upstream request for {} failed ({} failures so far): {}", what, breaker.failures(), e.getMessage());
    }
}
