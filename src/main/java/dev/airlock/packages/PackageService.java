package dev.airlock.packages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading the registry's packages: packuments (from memory, else assembled from their stored parts in one
 * statement), version documents, tarballs, dist-tags,
 * search — each visible only to those who may see it (restricted packages answer 404) — and the facts the policy
 * gate decides on (visibility, write access, whether a version is published). The changes are separate use cases:
 * {@link PackageVersions}, {@link DistTags}, {@link Deprecation}, {@link Unpublish}, {@link Ownership}; {@link Packages}
 * builds them all. Who may change what, with which factor, is decided by the gate before any of them is called.
 */
public final class PackageService {
    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final PackageAccess access;
    private final java.util.function.Supplier<String> base;
    private final BlobStore blobs;
    private final PackumentCache cache;

    PackageService(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.access = rows.access;
        this.base = rows.base;
        this.blobs = rows.blobs;
        this.cache = rows.cache;
    }

    /**
     * Tells {@code listener} the name of every package changed, after its commit (the assembly publishes it to the
     * other nodes, whose {@link #forget} it calls).
     */
    public void onChange(java.util.function.Consumer<String> listener) {
        rows.onChange = listener;
    }

    /** Forgets the documents of {@code name} held in memory (another node changed it). */
    public void forget(String name) {
        cache.invalidate(name);
    }

    /** The packument memory's hits, misses and bytes held, for the metrics. */
    public long[] cacheFigures() {
        return new long[] {cache.hits(), cache.misses(), cache.bytes()};
    }

    public String base() {
        return base.get();
    }

    /**
     * The packument (full or abbreviated) as a tree, for pages and version documents; 404 when absent or not visible
     * to the actor. Serving it uses {@link #served}.
     */
    public JsonNode packument(Actor actor, PackageName name, boolean abbreviated) {
        return parsed(served(actor, name, abbreviated, false));
    }

    /** A served document as a tree, let go of once read (else its bytes would wait for the collector to be freed). */
    private static JsonNode parsed(ServedDocument doc) {
        try {
            return dev.airlock.platform.json.Json.parse(doc.body());
        } finally {
            doc.release();
        }
    }

    /**
     * A packument to send: its UTF-8 bytes, or with {@code gzip} its gzip bytes, read-only (a direct buffer when it
     * comes from memory). {@link #body()} copies them into an array. One from memory is held until {@link #release}
     * (call it once the bytes are written or copied, and never touch {@code content} after): its buffer is then freed
     * at once if the cache let go of it too.
     */
    public record ServedDocument(java.nio.ByteBuffer content, boolean gzip, String etag, Runnable onRelease) {
        public ServedDocument(java.nio.ByteBuffer content, boolean gzip, String etag) {
            this(content, gzip, etag, () -> {});
        }

        /** The bytes are written or copied; idempotent. */
        public void release() {
            onRelease.run();
        }

        public byte[] body() {
            byte[] out = new byte[content.remaining()];
            content.duplicate().get(out);
            return out;
        }
    }

    /**
     * The document from memory when it is there, else assembled from its stored parts in one statement and kept.
     * A hit on a public package costs no database row; a restricted one asks who may read it.
     */
    public ServedDocument served(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        ServedDocument hot = cached(actor, name, abbreviated, gzip);
        if (hot != null) {
            return hot;
        }
        String n = name.toString();
        long generation = cache.generation(n);
        return db.read(tx -> assembled(tx, actor, n, generation, abbreviated, gzip));
    }

    /**
     * The document when memory holds it (null when it does not); 404 when it holds it but the actor may not read
     * it. The proxy asks this first: a local package wins completely.
     */
    public ServedDocument cached(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        return hot(null, actor, name.toString(), abbreviated, gzip);
    }

    /** {@link #cached}, asking about a restricted package in {@code tx} (or its own read when null). */
    private ServedDocument hot(Tx tx, Actor actor, String n, boolean abbreviated, boolean gzip) {
        PackumentCache.Entry e = cache.get(n, abbreviated);
        if (e == null) {
            return null;
        }
        boolean readable;
        try {
            readable = PackageRecord.PUBLIC.equals(e.access)
                    ? access.canRead(null, actor, n, e.scope, e.access) // public: decided without the database
                    : tx != null
                            ? access.canRead(tx, actor, n, e.scope, e.access)
                            : db.read(t -> access.canRead(t, actor, n, e.scope, e.access));
        } catch (RuntimeException failed) {
            e.release();
            throw failed;
        }
        if (!readable) {
            e.release();
            throw PackageAccess.notFound(n);
        }
        return serve(e, gzip);
    }

    /** The asked encoding of an entry the caller holds; the document holds it from here. */
    private ServedDocument serve(PackumentCache.Entry e, boolean gzip) {
        Hold release = new Hold(e);
        try {
            return gzip
                    ? new ServedDocument(cache.gzip(e).duplicate(), true, e.etag, release)
                    : new ServedDocument(e.body.identity.duplicate(), false, e.etag, release);
        } catch (RuntimeException | Error failed) {
            release.run();
            throw failed;
        }
    }

    /** A reader's hold on a cache entry, let go of once however often it is run (one object per read). */
    private static final class Hold extends java.util.concurrent.atomic.AtomicBoolean implements Runnable {
        private static final long serialVersionUID = 1L;
        private final transient PackumentCache.Entry entry;

        Hold(PackumentCache.Entry entry) {
            this.entry = entry;
        }

        @Override
        public void run() {
            if (compareAndSet(false, true)) {
                entry.release();
            }
        }
    }

    /** Both documents of {@code name} assembled from their parts in one statement, kept, and the asked one served. */
    private ServedDocument assembled(
            Tx tx, Actor actor, String name, long generation, boolean abbreviated, boolean gzip) {
        PackageStore.Assembly a = store.assembly(tx, name);
        if (a == null
                || a.rev() == null
                || a.state() != PackageState.ACTIVE
                || !access.canRead(tx, actor, a.name(), a.scope(), a.access())) {
            throw PackageAccess.notFound(name);
        }
        PackumentParts.Assembled docs = PackumentParts.assemble(a.name(), a.headJson(), a.rev(), a.rows());
        PackumentCache.Entry[] both =
                cache.put(a.name(), generation, a.scope(), a.access(), docs.full(), docs.abbreviated());
        both[abbreviated ? 0 : 1].release(); // the form not asked for
        return serve(both[abbreviated ? 1 : 0], gzip);
    }

    /**
     * Where a published version's tarball is, when the actor may read it; 404 otherwise. A public package's row is kept
     * in memory with its packuments (and forgotten with them): a hit costs no database row.
     */
    public TarballRef tarball(Actor actor, PackageName name, String version) {
        String n = name.toString();
        TarballRef hot = cachedTarball(actor, name, version);
        if (hot != null) {
            return hot;
        }
        long generation = cache.generation(n);
        return db.read(tx -> {
            PackageStore.Served s = store.servedTarball(tx, n, version);
            TarballRef ref = tarballRef(tx, actor, n, version, s);
            if (PackageRecord.PUBLIC.equals(s.access())) {
                cache.putTarball(n, version, generation, ref);
            }
            return ref;
        });
    }

    /** The tarball row of a public package's version when memory holds it (null when it does not). */
    public TarballRef cachedTarball(Actor actor, PackageName name, String version) {
        return access.anonymousAllowed(actor) ? cache.tarball(name.toString(), version) : null;
    }

    /**
     * The document of a local package another feature's read found ({@link LocalRows}), when the actor may read it;
     * 404 otherwise, exactly as {@link #served}. In the caller's read.
     */
    public ServedDocument visibleDocument(
            Tx tx, Actor actor, LocalRows.Document row, boolean abbreviated, boolean gzip) {
        if (row.etag() == null || !access.canRead(tx, actor, row.name(), row.scope(), row.access())) {
            throw PackageAccess.notFound(row.name());
        }
        ServedDocument hot = hot(tx, actor, row.name(), abbreviated, gzip);
        if (hot != null) {
            return hot;
        }
        // the generation before the assembling statement: a change committed after it is not put back in memory
        long generation = cache.generation(row.name());
        return assembled(tx, actor, row.name(), generation, abbreviated, gzip);
    }

    /** The tarball of a local package another feature's read found, as {@link #tarball}. */
    public TarballRef visibleTarball(Tx tx, Actor actor, LocalRows.Tarball row, String version) {
        return tarballRef(
                tx,
                actor,
                row.name(),
                version,
                new PackageStore.Served(
                        row.name(), row.scope(), row.access(), null, false, row.integrity(), row.blob(), row.size()));
    }

    /** The tarball row when the actor may read it; 404 when there is none, the version is not published, or hidden. */
    private TarballRef tarballRef(Tx tx, Actor actor, String name, String version, PackageStore.Served s) {
        if (s == null || s.blob() == null || !access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
            throw AirlockException.notFound("Tarball not found: " + name + "@" + version);
        }
        return new TarballRef(s.blob(), s.size(), s.etag());
    }

    /** Opens the bytes of a tarball found with {@link #tarball}. */
    public InputStream openTarball(TarballRef ref) {
        try {
            return blobs.open(ref.blob());
        } catch (IOException e) {
            throw new UncheckedIOException("tarball blob missing: " + ref.blob(), e);
        }
    }

    /** The local file of a tarball blob (sent without copying through the heap), or null when blobs are remote. */
    public java.nio.file.Path tarballFile(String blob) {
        return blobs.file(blob);
    }

    /** One version's manifest, by version or dist-tag (other clients fetch /name/version). */
    public JsonNode versionManifest(Actor actor, PackageName name, String versionOrTag) {
        JsonNode doc = packument(actor, name, false);
        String version = doc.path("dist-tags").path(versionOrTag).asText(versionOrTag);
        JsonNode manifest = doc.path("versions").get(version);
        if (manifest == null) {
            throw AirlockException.notFound("Version not found: " + name + "@" + versionOrTag);
        }
        return manifest;
    }

    public Map<String, String> distTags(Actor actor, PackageName name) {
        return db.read(tx -> {
            PackageRecord pkg = rows.visible(tx, actor, name);
            return store.tags(tx, pkg.name());
        });
    }

    /** Whether a package exists for this actor: no row, a row the actor may not see (or an unpublished one), or visible. */
    public enum Visibility {
        ABSENT,
        HIDDEN,
        VISIBLE
    }

    public Visibility visibility(Actor actor, PackageName name) {
        return db.read(tx -> {
            PackageRecord pkg = store.find(tx, name.toString());
            if (pkg == null) {
                return Visibility.ABSENT;
            }
            return pkg.active() && access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())
                    ? Visibility.VISIBLE
                    : Visibility.HIDDEN;
        });
    }

    /** May the actor change this package (maintainer, org owner/admin, read-write team; a token must reach it)? */
    public boolean canWrite(Actor actor, PackageName name) {
        return db.read(tx -> canPublish(tx, actor, name.toString()));
    }

    /** Is this user a maintainer in the strict sense (a person who may approve), whatever credential they use now? */
    public boolean isHumanMaintainer(String user, PackageName name) {
        return db.read(tx -> canApprove(tx, user, name.toString()));
    }

    public boolean isPublished(PackageName name, String version) {
        VersionRecord v = db.read(tx -> store.version(tx, name.toString(), version));
        return v != null && v.published();
    }

    /**
     * Why the actor could not put a version of this package in (the create rule for a new name, the write rule
     * otherwise: the same check a publish or stage makes), or null when it could.
     */
    public AirlockException publishRefusal(Actor actor, PackageName name) {
        return db.read(tx -> {
            try {
                access.requirePublish(tx, actor, name, store.find(tx, name.toString()));
                return null;
            } catch (AirlockException e) {
                return e;
            }
        });
    }

    /** The write check inside a caller's unit of work (the policy feature changes a package's policy this way). */
    public void requireWritable(Tx tx, Actor actor, PackageName name) {
        rows.writable(tx, actor, name);
    }

    /** May the actor publish this package (maintainer, org owner/admin, read-write team)? Staged items are theirs to see. */
    public boolean canPublish(Tx tx, Actor actor, String name) {
        PackageRecord pkg = store.find(tx, name);
        return pkg != null && access.canWrite(tx, actor, pkg);
    }

    /** Is this user a maintainer of the package in the strict sense (a human allowed to approve)? */
    public boolean canApprove(Tx tx, String user, String name) {
        PackageRecord pkg = store.find(tx, name);
        return pkg != null && access.canWrite(tx, new Actor(user, "session", null, null), pkg);
    }

    /** The package's maintainers who may approve its staged versions, sorted: whom a new stage is announced to. */
    public List<String> approvers(Tx tx, String name) {
        return store.maintainers(tx, name).keySet().stream()
                .filter(u -> canApprove(tx, u, name))
                .sorted()
                .toList();
    }

    /** The revision npm must echo in /-rev/ paths. */
    public String rev(Actor actor, PackageName name) {
        return db.read(tx -> {
            rows.visible(tx, actor, name);
            return store.rev(tx, name.toString());
        });
    }

    /** Packuments matching every term, visible to the actor (full documents, for the adapter to summarise). */
    public List<JsonNode> search(Actor actor, List<String> terms, int size, int from) {
        return db.read(tx -> {
            List<JsonNode> out = new ArrayList<>();
            if (!access.anonymousAllowed(actor)) {
                return out;
            }
            for (String n : store.search(tx, terms, size, from)) {
                try {
                    ServedDocument hot = hot(tx, actor, n, false, false);
                    ServedDocument doc = hot != null ? hot : assembled(tx, actor, n, cache.generation(n), false, false);
                    out.add(parsed(doc));
                } catch (AirlockException hidden) {
                    // not visible to this actor: left out
                }
            }
            return out;
        });
    }

    /**
     * Names of packages in any state (published, unpublished, reserved by staging) spelled like {@code name} when
     * case is ignored, {@code name} itself included when it exists. Not filtered by visibility: for the publish rules.
     */
    public List<String> namesIgnoringCase(PackageName name) {
        return db.read(tx -> store.namesIgnoringCase(tx, name.toString().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Blob keys still referenced by any version (for the orphan sweep). */
    public Set<String> referencedBlobs() {
        return db.read(tx -> Set.copyOf(store.referencedBlobs(tx)));
    }

    /** Whether a version refers to the blob {@code key} now (the sweep's check right before it deletes). */
    public boolean referencesBlob(String key) {
        return db.read(tx -> store.referencesBlob(tx, key));
    }
}
