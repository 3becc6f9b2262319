package dev.airlock.packages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditService;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registry's packages: publish, read (materialised packuments: one row per read), dist-tags, deprecation,
 * unpublish, maintainers and access. Every change is one transaction that also rewrites the packument and appends
 * an audit event.
 */
public final class PackageService {
    private static final Pattern TAG = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,127}");
    /** Tags semver.validRange accepts (x, v1, v1.2.x, v1.2.3-beta…; also odd forms like x.1): npm refuses them. */
    private static final Pattern RANGE_LIKE = Pattern.compile(
            "v*(?:[xX*]|0|[1-9]\\d*)(?:\\.(?:[xX*]|0|[1-9]\\d*)(?:\\.(?:[xX*]|0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?)?)?");
    private final Database db;
    private final PackageStore store;
    private final PackageAccess access;
    private final AuditService audit;
    private final Clock clock;
    private final String base;
    private final BlobStore blobs;

    PackageService(Database db, PackageStore store, PackageAccess access, AuditService audit, Clock clock, String base,
                   BlobStore blobs) {
        this.blobs = blobs;
        this.db = db;
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
        this.base = base;
    }

    public static PackageService create(Database db, BlobStore blobs, OrgService orgs, AuditService audit, Clock clock,
                                        String publicBase, boolean anonymousRead) {
        JdbiPackageStore store = new JdbiPackageStore();
        return new PackageService(db, store, new PackageAccess(store, orgs, anonymousRead), audit, clock, publicBase, blobs);
    }

    public String base() {
        return base;
    }

    public static String validTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches() || RANGE_LIKE.matcher(tag).matches()) {
            throw AirlockException.badRequest("Invalid dist-tag \"" + tag + "\": a tag starts with a letter and must not look"
                    + " like a version or range.");
        }
        return tag;
    }

    // ------------------------------------------------------------------ reads

    /**
     * The packument (full or abbreviated) as a tree, for pages and version documents; 404 when absent or not visible
     * to the actor. Serving it uses {@link #served}.
     */
    public JsonNode packument(Actor actor, PackageName name, boolean abbreviated) {
        return dev.airlock.platform.json.Json.parse(served(actor, name, abbreviated, false).body());
    }

    /** A packument as stored, to send: its UTF-8 bytes, or with {@code gzip} the gzip copy when there is one. */
    public record ServedDocument(byte[] body, boolean gzip, String etag) {
    }

    /** The stored bytes, no decoding; one indexed row. */
    public ServedDocument served(Actor actor, PackageName name, boolean abbreviated, boolean gzip) {
        return db.read(tx -> {
            PackageStore.Served s = store.served(tx, name.toString(), abbreviated, gzip);
            if (s == null || !access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
                throw PackageAccess.notFound(name.toString());
            }
            return new ServedDocument(s.body(), s.gzip(), s.etag());
        });
    }

    public TarballRef tarball(Actor actor, PackageName name, String version) {
        return db.read(tx -> {
            PackageStore.Served s = store.servedTarball(tx, name.toString(), version);
            if (s == null || s.blob() == null || !access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
                throw AirlockException.notFound("Tarball not found: " + name + "@" + version);
            }
            return new TarballRef(s.blob(), s.size(), s.etag());
        });
    }

    /** Opens the bytes of a tarball found with {@link #tarball}. */
    public InputStream openTarball(TarballRef ref) {
        try {
            return blobs.open(ref.blob());
        } catch (IOException e) {
            throw new UncheckedIOException("tarball blob missing: " + ref.blob(), e);
        }
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
            PackageRecord pkg = visible(tx, actor, name);
            return store.tags(tx, pkg.name());
        });
    }

    private PackageRecord visible(Tx tx, Actor actor, PackageName name) {
        PackageRecord pkg = store.find(tx, name.toString());
        if (pkg == null || !pkg.active() || !access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())) {
            throw PackageAccess.notFound(name.toString());
        }
        return pkg;
    }

    private PackageRecord writable(Tx tx, Actor actor, PackageName name) {
        PackageRecord pkg = store.find(tx, name.toString());
        if (pkg == null || !pkg.active()) {
            throw PackageAccess.notFound(name.toString());
        }
        access.requireWrite(tx, actor, pkg);
        return pkg;
    }

    // ------------------------------------------------------------------ facts the gate decides on

    /** Whether a package exists for this actor: no row, a row the actor may not see (or an unpublished one), or visible. */
    public enum Visibility { ABSENT, HIDDEN, VISIBLE }

    public Visibility visibility(Actor actor, PackageName name) {
        return db.read(tx -> {
            PackageRecord pkg = store.find(tx, name.toString());
            if (pkg == null) {
                return Visibility.ABSENT;
            }
            return pkg.active() && access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access()) ? Visibility.VISIBLE
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

    /** The write check inside a caller's unit of work (the policy feature changes a package's policy this way). */
    public void requireWritable(Tx tx, Actor actor, PackageName name) {
        writable(tx, actor, name);
    }

    // ------------------------------------------------------------------ publish

    /** How a direct publish was authorised, for the version's "airlock" field. */
    static Map<String, Object> directPublish(Actor actor, String factor) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("method", "publish");
        a.put("publishedBy", actor.user());
        String via = actor.trustedPublishing() ? "oidc" : actor.interactive() ? "user" : "token";
        a.put("via", via);
        if (actor.bypasses2fa()) {
            a.put("bypass2fa", true);
        }
        a.put("secondFactor", factor);
        if (actor.scope() != null && actor.scope().ciIdentity() != null) {
            a.put("ci", dev.airlock.platform.json.Json.parse(actor.scope().ciIdentity()));
        }
        return a;
    }

    /**
     * The checks {@link #publish} makes (access level, permission, version number unused), run before the tarball is
     * inspected and stored, so that a refused publish costs little and leaves no blob. {@link #publish} repeats them.
     */
    public void checkPublish(Actor actor, PackageName name, String version, String requestedAccess) {
        db.read(tx -> checkPublish(tx, actor, name, version, requestedAccess));
    }

    /** Returns the existing package row, or null for a new package. */
    private PackageRecord checkPublish(Tx tx, Actor actor, PackageName name, String version, String requestedAccess) {
        if (PackageRecord.RESTRICTED.equals(requestedAccess) && !name.scoped()) {
            throw AirlockException.badRequest("Unscoped packages cannot be restricted; publish with --access public.");
        }
        PackageRecord pkg = store.find(tx, name.toString());
        if (pkg == null) {
            access.requireCreate(tx, actor, name);
        } else if (!pkg.active()) {
            // a whole-package unpublish (or a name reserved by staging) keeps its maintainers:
            // only they may bring the name into use
            if (!access.canWrite(tx, actor, pkg)) {
                throw AirlockException.forbidden("You do not have permission to publish \"" + name + "\".");
            }
        } else {
            access.requireWrite(tx, actor, pkg);
        }
        refuseReuse(store.version(tx, name.toString(), version), name + "@" + version);
        return pkg;
    }

    /**
     * Commits a validated version whose tarball is already in the blob store. The unique index decides races.
     * The caller asked the gate ({@code Action.PUBLISH}); {@code factor} is the second factor it verified, or null.
     */
    public void publish(Actor actor, NewVersion v, String factor) {
        String authorisation = dev.airlock.platform.json.Json.write(directPublish(actor, factor));
        try {
            db.write(tx -> {
                long now = clock.millis();
                String name = v.name().toString();
                PackageRecord pkg = checkPublish(tx, actor, v.name(), v.version(), v.access());
                String requested = v.access();
                if (pkg == null) {
                    pkg = new PackageRecord(name, v.name().scope(), requested == null ? PackageRecord.PUBLIC : requested,
                            "active", 0, now, now);
                    store.insert(tx, pkg);
                    store.addMaintainer(tx, name, actor.user(), now);
                } else if (!pkg.active()) {
                    pkg = new PackageRecord(name, pkg.scope(), requested == null ? pkg.access() : requested, "active",
                            pkg.revSeq(), pkg.createdAt(), now);
                } else if (requested != null) {
                    pkg = new PackageRecord(name, pkg.scope(), requested, pkg.state(), pkg.revSeq(), pkg.createdAt(), now);
                }
                store.insertVersion(tx, new VersionRecord(name, v.version(), VersionRecord.PUBLISHED,
                        dev.airlock.platform.json.Json.write(v.manifest()), v.readme(), v.integrity(), v.shasum(), v.blob(),
                        v.size(), now, now, actor.user(), null, authorisation));
                store.setTag(tx, name, v.tag(), v.version());
                touch(tx, pkg, now);
                audit.record(tx, actor, "package.publish", "package:" + name,
                        Map.of("version", v.version(), "tag", v.tag(), "integrity", v.integrity()));
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw AirlockException.conflict("Cannot publish " + v.name() + "@" + v.version()
                        + ": that version was published at the same moment by another request.");
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ staging (called by the staging feature)

    /**
     * Inserts a staged version inside the caller's transaction: same authorisation as a publish, the same
     * uniqueness index, but the version is invisible on every read path. A brand-new package is created reserved
     * (state "staged"): its name belongs to the stager, and nothing about it is served until the first approval.
     */
    public void insertStaged(Tx tx, Actor actor, NewVersion v) {
        long now = clock.millis();
        String name = v.name().toString();
        PackageRecord pkg = checkPublish(tx, actor, v.name(), v.version(), v.access());
        if (pkg == null) {
            pkg = new PackageRecord(name, v.name().scope(), v.access() == null ? PackageRecord.PUBLIC : v.access(),
                    PackageRecord.STAGED, 0, now, now);
            store.insert(tx, pkg);
            store.addMaintainer(tx, name, actor.user(), now);
        }
        store.insertVersion(tx, new VersionRecord(name, v.version(), VersionRecord.STAGED,
                dev.airlock.platform.json.Json.write(v.manifest()), v.readme(), v.integrity(), v.shasum(), v.blob(),
                v.size(), now, null, actor.user(), null));
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

    /** The staged version's manifest (to show and to download what was staged). */
    public VersionRecord stagedVersion(Tx tx, String name, String version) {
        VersionRecord v = store.version(tx, name, version);
        return v != null && VersionRecord.STAGED.equals(v.state()) ? v : null;
    }

    /**
     * The version a staged one is reviewed against: the one its tag points at now, else the highest published.
     * Null for a package with nothing published.
     */
    public VersionRecord previousPublished(Tx tx, String name, String tag) {
        String current = store.tags(tx, name).get(tag);
        if (current != null) {
            VersionRecord v = store.version(tx, name, current);
            if (v != null && v.published()) {
                return v;
            }
        }
        List<VersionRecord> published = store.versions(tx, name).stream().filter(VersionRecord::published).toList();
        String highest = PackumentBuilder.highest(published.stream().map(VersionRecord::version).toList());
        return published.stream().filter(v -> v.version().equals(highest)).findFirst().orElse(null);
    }

    /** Approval: the staged version becomes published with the tag fixed at staging, in the caller's transaction. */
    public void releaseStaged(Tx tx, Actor approver, String name, String version, String tag, Map<String, Object> detail) {
        VersionRecord v = store.version(tx, name, version);
        if (v == null || !VersionRecord.STAGED.equals(v.state())) {
            throw AirlockException.conflict("Version " + name + "@" + version + " is no longer staged.");
        }
        long now = clock.millis();
        store.publishStaged(tx, name, version, now, dev.airlock.platform.json.Json.write(detail));
        store.setTag(tx, name, tag, version);
        PackageRecord pkg = store.find(tx, name);
        if (!pkg.active()) {
            pkg = new PackageRecord(pkg.name(), pkg.scope(), pkg.access(), "active", pkg.revSeq(), pkg.createdAt(), now);
        }
        touch(tx, pkg, now);
        Map<String, Object> d = new LinkedHashMap<>(detail);
        d.put("version", version);
        d.put("tag", tag);
        d.put("integrity", v.integrity());
        audit.record(tx, approver, "package.publish", "package:" + name, d);
    }

    /** Rejection or expiry: the staged version row goes (its number is free again); a reserved name with nothing left is released. */
    public void discardStaged(Tx tx, String name, String version) {
        store.deleteStaged(tx, name, version);
        PackageRecord pkg = store.find(tx, name);
        if (pkg != null && PackageRecord.STAGED.equals(pkg.state()) && store.versions(tx, name).isEmpty()) {
            store.deleteReserved(tx, name);
        }
    }

    private static void refuseReuse(VersionRecord existing, String id) {
        if (existing == null) {
            return;
        }
        throw switch (existing.state()) {
            case VersionRecord.PUBLISHED -> AirlockException.conflict("You cannot publish over the previously published version "
                    + id + ". Bump the version number and publish again.");
            case VersionRecord.STAGED -> AirlockException.conflict("Version " + id + " is already staged and waiting for approval.");
            default -> AirlockException.conflict("Version " + id + " was " + existing.state()
                    + " and its number cannot be reused. Bump the version number.");
        };
    }

    /** Bumps the revision and rewrites both packuments (or removes them when nothing is published). */
    private void touch(Tx tx, PackageRecord pkg, long now) {
        PackageRecord next = new PackageRecord(pkg.name(), pkg.scope(), pkg.access(), pkg.state(), pkg.revSeq() + 1,
                pkg.createdAt(), now);
        store.update(tx, next);
        rebuild(tx, next);
    }

    private void rebuild(Tx tx, PackageRecord pkg) {
        List<VersionRecord> rows = store.versions(tx, pkg.name());
        if (!pkg.active() || rows.stream().noneMatch(VersionRecord::published)) {
            store.deletePackument(tx, pkg.name());
            return;
        }
        PackumentBuilder.Built built = PackumentBuilder.build(base, pkg, rows, store.tags(tx, pkg.name()),
                store.maintainers(tx, pkg.name()));
        store.savePackument(tx, pkg.name(), built.full(), built.abbreviated(), built.rev(), pkg.modifiedAt(), built.searchText());
    }

    /** Rewrites every packument (the public URL is embedded in tarball URLs). */
    public int rebuildAll() {
        return db.write(tx -> {
            int n = 0;
            for (String name : store.allNames(tx)) {
                rebuild(tx, store.find(tx, name));
                n++;
            }
            return n;
        });
    }

    // ------------------------------------------------------------------ tags, deprecation

    public void setDistTag(Actor actor, PackageName name, String tag, String version) {
        validTag(tag);
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            VersionRecord v = store.version(tx, pkg.name(), version);
            if (v == null || !v.published()) {
                throw AirlockException.notFound("Version " + name + "@" + version + " does not exist; a tag must point at a published version.");
            }
            store.setTag(tx, pkg.name(), tag, version);
            touch(tx, pkg, clock.millis());
            audit.record(tx, actor, "dist-tag.set", "package:" + pkg.name(), Map.of("tag", tag, "version", version));
            return null;
        });
    }

    public void removeDistTag(Actor actor, PackageName name, String tag) {
        if ("latest".equals(tag)) {
            throw AirlockException.badRequest("The latest tag cannot be removed; point it at another version instead.");
        }
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            if (!store.tags(tx, pkg.name()).containsKey(tag)) {
                throw AirlockException.notFound("Tag \"" + tag + "\" is not set on " + name + ".");
            }
            store.removeTag(tx, pkg.name(), tag);
            touch(tx, pkg, clock.millis());
            audit.record(tx, actor, "dist-tag.remove", "package:" + pkg.name(), Map.of("tag", tag));
            return null;
        });
    }

    /** Applies only the deprecation messages ("" removes one) to versions that exist; nothing else in the body. */
    public void deprecate(Actor actor, PackageName name, Map<String, String> messages) {
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            Map<String, String> changed = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : messages.entrySet()) {
                VersionRecord v = store.version(tx, pkg.name(), e.getKey());
                if (v == null || !v.published()) {
                    throw AirlockException.notFound("Version " + name + "@" + e.getKey() + " does not exist.");
                }
                String message = e.getValue() == null || e.getValue().isEmpty() ? null : e.getValue();
                if (message != null && message.length() > 1024) {
                    throw AirlockException.badRequest("A deprecation message may be at most 1024 characters.");
                }
                if (!java.util.Objects.equals(message, v.deprecated())) {
                    store.setDeprecated(tx, pkg.name(), e.getKey(), message);
                    changed.put(e.getKey(), message == null ? "" : message);
                }
            }
            if (!changed.isEmpty()) {
                touch(tx, pkg, clock.millis());
                audit.record(tx, actor, "package.deprecate", "package:" + pkg.name(), Map.of("versions", changed));
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ unpublish

    /** The revision npm must echo in /-rev/ paths. */
    public String rev(Actor actor, PackageName name) {
        return db.read(tx -> {
            visible(tx, actor, name);
            return store.rev(tx, name.toString());
        });
    }

    /**
     * npm unpublish of single versions: the PUT body lists the versions to keep; every published version missing from
     * it is unpublished. Nothing else from the body is applied. Its number can never be used again.
     */
    public List<String> unpublishExcept(Actor actor, PackageName name, String rev, Set<String> keep) {
        return db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            checkRev(tx, pkg, rev);
            List<String> removed = new ArrayList<>();
            for (VersionRecord v : store.versions(tx, pkg.name())) {
                if (v.published() && !keep.contains(v.version())) {
                    removed.add(v.version());
                }
            }
            if (removed.isEmpty()) {
                return removed;
            }
            unpublish(tx, actor, pkg, removed);
            return removed;
        });
    }

    public void unpublishVersion(Actor actor, PackageName name, String version) {
        VersionRecord current = db.read(tx -> store.version(tx, name.toString(), version));
        if (current != null && !current.published()) {
            // npm unpublish sends this DELETE after the PUT that already unpublished the version: nothing to change
            db.read(tx -> writable(tx, actor, name));
            return;
        }
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            VersionRecord v = store.version(tx, pkg.name(), version);
            if (v == null) {
                throw AirlockException.notFound("Version " + name + "@" + version + " does not exist.");
            }
            if (v.published()) {
                unpublish(tx, actor, pkg, List.of(version));
            }
            return null;
        });
    }

    private void unpublish(Tx tx, Actor actor, PackageRecord pkg, List<String> versions) {
        Map<String, String> tags = store.tags(tx, pkg.name());
        for (String version : versions) {
            store.setVersionState(tx, pkg.name(), version, VersionRecord.UNPUBLISHED, true);
        }
        List<String> remaining = store.versions(tx, pkg.name()).stream().filter(VersionRecord::published)
                .map(VersionRecord::version).toList();
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (versions.contains(t.getValue())) {
                store.removeTag(tx, pkg.name(), t.getKey());
            }
        }
        PackageRecord next = pkg;
        if (remaining.isEmpty()) {
            next = new PackageRecord(pkg.name(), pkg.scope(), pkg.access(), "unpublished", pkg.revSeq(), pkg.createdAt(), pkg.modifiedAt());
        } else if (versions.contains(tags.get("latest"))) {
            store.setTag(tx, pkg.name(), "latest", PackumentBuilder.highest(remaining));
        }
        touch(tx, next, clock.millis());
        audit.record(tx, actor, "package.unpublish", "package:" + pkg.name(), Map.of("versions", versions));
    }

    public void unpublishAll(Actor actor, PackageName name, String rev) {
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            checkRev(tx, pkg, rev);
            List<String> all = store.versions(tx, pkg.name()).stream().filter(VersionRecord::published)
                    .map(VersionRecord::version).toList();
            for (String tag : store.tags(tx, pkg.name()).keySet()) {
                store.removeTag(tx, pkg.name(), tag);
            }
            for (String version : all) {
                store.setVersionState(tx, pkg.name(), version, VersionRecord.UNPUBLISHED, true);
            }
            PackageRecord gone = new PackageRecord(pkg.name(), pkg.scope(), pkg.access(), "unpublished", pkg.revSeq(),
                    pkg.createdAt(), pkg.modifiedAt());
            touch(tx, gone, clock.millis());
            audit.record(tx, actor, "package.unpublish", "package:" + pkg.name(), Map.of("versions", all, "whole", true));
            return null;
        });
    }

    private void checkRev(Tx tx, PackageRecord pkg, String rev) {
        String current = store.rev(tx, pkg.name());
        if (rev != null && current != null && !rev.equals(current)) {
            throw AirlockException.conflict("The package changed since you read it (revision " + rev + " is not current "
                    + current + "). Run the command again.");
        }
    }

    // ------------------------------------------------------------------ owners, access

    public Map<String, String> maintainers(Actor actor, PackageName name) {
        return db.read(tx -> store.maintainers(tx, visible(tx, actor, name).name()));
    }

    /** npm owner add/rm: the body carries the whole new maintainer list; each user must exist. */
    public void setMaintainers(Actor actor, PackageName name, String rev, List<String> users) {
        if (users.isEmpty()) {
            throw AirlockException.badRequest("A package must keep at least one maintainer.");
        }
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            checkRev(tx, pkg, rev);
            Map<String, String> current = store.maintainers(tx, pkg.name());
            long now = clock.millis();
            List<String> added = new ArrayList<>();
            for (String user : users) {
                if (!current.containsKey(user)) {
                    if (!store.userExists(tx, user)) {
                        throw AirlockException.notFound("User \"" + user + "\" not found.");
                    }
                    store.addMaintainer(tx, pkg.name(), user, now);
                    added.add(user);
                }
            }
            List<String> removed = new ArrayList<>();
            for (String user : current.keySet()) {
                if (!users.contains(user)) {
                    store.removeMaintainer(tx, pkg.name(), user);
                    removed.add(user);
                }
            }
            touch(tx, pkg, now);
            audit.record(tx, actor, "package.owners", "package:" + pkg.name(), Map.of("added", added, "removed", removed));
            return null;
        });
    }

    public boolean isPublic(Actor actor, PackageName name) {
        return db.read(tx -> visible(tx, actor, name).isPublic());
    }

    public void setAccess(Actor actor, PackageName name, String level) {
        if (!PackageRecord.PUBLIC.equals(level) && !PackageRecord.RESTRICTED.equals(level)) {
            throw AirlockException.badRequest("access must be \"public\" or \"restricted\".");
        }
        if (!name.scoped() && PackageRecord.RESTRICTED.equals(level)) {
            throw AirlockException.badRequest("Unscoped packages are always public.");
        }
        db.write(tx -> {
            PackageRecord pkg = writable(tx, actor, name);
            if (!pkg.access().equals(level)) {
                touch(tx, new PackageRecord(pkg.name(), pkg.scope(), level, pkg.state(), pkg.revSeq(), pkg.createdAt(),
                        pkg.modifiedAt()), clock.millis());
                audit.record(tx, actor, "package.access", "package:" + pkg.name(), Map.of("access", level));
            }
            return null;
        });
    }

    /** npm access list collaborators: user → read | write. */
    public Map<String, String> collaborators(Actor actor, PackageName name, OrgService orgs) {
        return db.read(tx -> {
            PackageRecord pkg = visible(tx, actor, name);
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, String> grant : store.teamGrants(tx, pkg.name()).entrySet()) {
                String[] ot = grant.getKey().split(":", 2);
                for (String user : orgs.teamMembers(dev.airlock.shared.Actor.operator(), ot[0], ot[1])) {
                    if (!"write".equals(out.get(user))) {
                        out.put(user, "read-write".equals(grant.getValue()) ? "write" : "read");
                    }
                }
            }
            for (String user : store.maintainers(tx, pkg.name()).keySet()) {
                out.put(user, "write");
            }
            return out;
        });
    }

    /** npm access list packages for a user (their own scope and what they maintain) or an org (its scope). */
    public Map<String, String> packagesOf(Actor actor, String owner, boolean org) {
        return db.read(tx -> {
            Map<String, String> out = new LinkedHashMap<>();
            List<String> names = org ? store.byScope(tx, owner) : store.byMaintainer(tx, owner);
            for (String n : names) {
                PackageRecord pkg = store.find(tx, n);
                if (access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())) {
                    out.put(n, access.canWrite(tx, actor, pkg) || (!org && owner.equals(actor.user())) ? "write" : "read");
                }
            }
            return out;
        });
    }

    public void grant(Actor actor, String org, String team, PackageName name, String permission, OrgService orgs) {
        if (!"read-only".equals(permission) && !"read-write".equals(permission)) {
            throw AirlockException.badRequest("permissions must be read-only or read-write.");
        }
        db.write(tx -> {
            orgs.requireTeamAdmin(tx, actor, org, team);
            PackageRecord pkg = writable(tx, actor, name);
            if (!org.equals(pkg.scope())) {
                throw AirlockException.badRequest("Teams of org \"" + org + "\" can only be granted packages in the @" + org + " scope.");
            }
            store.grant(tx, org, team, pkg.name(), permission);
            touch(tx, pkg, clock.millis());
            audit.record(tx, actor, "access.grant", "package:" + pkg.name(), Map.of("team", org + ":" + team, "permission", permission));
            return null;
        });
    }

    public void revoke(Actor actor, String org, String team, PackageName name, OrgService orgs) {
        db.write(tx -> {
            orgs.requireTeamAdmin(tx, actor, org, team);
            PackageRecord pkg = writable(tx, actor, name);
            store.revoke(tx, org, team, pkg.name());
            touch(tx, pkg, clock.millis());
            audit.record(tx, actor, "access.revoke", "package:" + pkg.name(), Map.of("team", org + ":" + team));
            return null;
        });
    }

    public Map<String, String> teamPackages(Actor actor, String org, String team, OrgService orgs) {
        return db.read(tx -> {
            orgs.requireMember(tx, actor, org);
            if (!orgs.teamExists(tx, org, team)) {
                throw AirlockException.notFound("Team \"" + org + ":" + team + "\" not found.");
            }
            Map<String, String> out = new LinkedHashMap<>();
            store.teamPackages(tx, org, team).forEach((p, perm) -> out.put(p, "read-write".equals(perm) ? "write" : "read"));
            return out;
        });
    }

    // ------------------------------------------------------------------ search

    /** Packuments matching every term, visible to the actor (full documents, for the adapter to summarise). */
    public List<JsonNode> search(Actor actor, List<String> terms, int size, int from) {
        return db.read(tx -> {
            List<JsonNode> out = new ArrayList<>();
            if (!access.anonymousAllowed(actor)) {
                return out;
            }
            for (String n : store.search(tx, terms, size, from)) {
                PackageStore.Served s = store.served(tx, n, false, false);
                if (s != null && access.canRead(tx, actor, s.name(), s.scope(), s.access())) {
                    out.add(dev.airlock.platform.json.Json.parse(s.body()));
                }
            }
            return out;
        });
    }

    /** Blob keys still referenced by any version (for the orphan sweep). */
    public Set<String> referencedBlobs() {
        return db.read(tx -> Set.copyOf(store.referencedBlobs(tx)));
    }
}
