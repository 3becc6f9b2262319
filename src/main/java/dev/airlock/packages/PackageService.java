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
 * Reading the registry's packages: packuments as stored (one row per read), version documents, tarballs, dist-tags,
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

    PackageService(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.access = rows.access;
        this.base = rows.base;
        this.blobs = rows.blobs;
    }

    public String base() {
        return base.get();
    }

    /**
     * The packument (full or abbreviated) as a tree, for pages and version documents; 404 when absent or not visible
     * to the actor. Serving it uses {@link #served}.
     */
    public JsonNode packument(Actor actor, PackageName name, boolean abbreviated) {
        return dev.airlock.platform.json.Json.parse(
                served(actor, name, abbreviated, false).body());
    }

    /** A packument as stored, to send: its UTF-8 bytes, or with {@code gzip} the gzip copy when there is one. */
    public record ServedDocument(byte[] body, boolean gzip, String etag) {}

    /** The stored bytes, no decoding; one indexed row. */
    public ServedDocument served(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        return db.read(
                tx -> document(tx, actor, name.toString(), store.served(tx, name.toString(), abbreviated, gzip)));
    }

    public TarballRef tarball(Actor actor, PackageName name, String version) {
        return db.read(tx ->
                tarballRef(tx, actor, name.toString(), version, store.servedTarball(tx, name.toString(), version)));
    }

    /**
     * The document of a local package another feature's read found ({@link LocalRows}), when the actor may read it;
     * 404 otherwise, exactly as {@link #served}. In the caller's read.
     */
    public ServedDocument visibleDocument(
            Tx tx, Actor actor, LocalRows.Document row, boolean abbreviated, boolean gzip) {
        PackageStore.Served s = gzip && row.etag() != null && row.body() == null
                ? store.served(tx, row.name(), abbreviated, false) // not rebuilt since gzip copies were added
                : new PackageStore.Served(row.name(), row.scope(), row.access(), row.body(), gzip, row.etag(), null, 0);
        return document(tx, actor, row.name(), s);
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

    /** The served row when the actor may read it; 404 when there is none, it has no packument, or it is hidden. */
    private ServedDocument document(Tx tx, Actor actor, String name, PackageStore.Served s) {
        if (s == null || s.etag() == null || !access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
            throw PackageAccess.notFound(name);
        }
        return new ServedDocument(s.body(), s.gzip(), s.etag());
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
                PackageStore.Served s = store.served(tx, n, false, false);
                if (s != null && s.etag() != null && access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
                    out.add(dev.airlock.platform.json.Json.parse(s.body()));
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
