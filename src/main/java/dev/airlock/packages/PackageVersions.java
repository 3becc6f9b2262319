package dev.airlock.packages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Versions coming in and going live: direct publish, a staged version's insert (invisible until approved), its
 * release on approval, its discard on rejection or expiry, and rebuilding the stored packuments. The staging feature
 * joins its own transaction through the {@code (Tx, …)} methods: see {@link dev.airlock.platform.db.Tx} for that
 * unit-of-work rule. The unique index on (package, version) decides races between publishes and stages.
 */
public final class PackageVersions {
    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final PackageAccess access;
    private final AuditService audit;
    private final Clock clock;

    /** A version that became visible: published directly or approved from staging, in the caller's transaction. */
    public record Released(
            Actor actor, String name, String version, String integrity, Map<String, Object> authorisation, long at) {}

    /**
     * Told of every {@link Released} version inside the transaction that releases it (an attestation, say); answers
     * what the release's audit event ({@code package.publish}) records besides (e.g. the attestation's digest).
     */
    public interface ReleaseListener {
        Map<String, Object> released(Tx tx, Released released);

        /**
         * The work of {@link #released} that can be done before the releasing transaction starts (signing, say), so
         * that the one writer holds its lock for less; answers what is left to do inside it, which must give the
         * same result as {@link #released} would there. By default everything is left for the transaction.
         */
        default java.util.function.Function<Tx, Map<String, Object>> prepare(Released released) {
            return tx -> released(tx, released);
        }
    }

    private volatile ReleaseListener listener = (tx, r) -> Map.of();

    /**
     * Sets the one listener told of releases (wired once, by the assembly); it runs in the release's transaction, so
     * what it writes commits or rolls back with the version.
     */
    public void onRelease(ReleaseListener l) {
        this.listener = l;
    }

    PackageVersions(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.access = rows.access;
        this.audit = rows.audit;
        this.clock = rows.clock;
    }

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
        access.requirePublish(tx, actor, name, pkg);
        refuseReuse(store.version(tx, name.toString(), version), name + "@" + version);
        return pkg;
    }

    /**
     * Commits a validated version whose tarball is already in the blob store. The unique index decides races.
     * The caller asked the gate ({@code Action.PUBLISH}); {@code factor} is the second factor it verified, or null.
     */
    public void publish(Actor actor, NewVersion v, String factor) {
        publish(actor, v, factor, tx -> {});
    }

    /** {@link #publish}, with {@code alsoInTx} (e.g. the version's attestations) committed in the same transaction. */
    public void publish(Actor actor, NewVersion v, String factor, java.util.function.Consumer<Tx> alsoInTx) {
        Map<String, Object> how = directPublish(actor, factor);
        String authorisation = dev.airlock.platform.json.Json.write(how);
        long now = clock.millis();
        String name = v.name().toString();
        // the signatures are made before the write transaction: they need nothing it reads, and the one writer is
        // the publish path's narrowest point
        rows.sign(v.manifest(), name, v.version(), v.integrity());
        java.util.function.Function<Tx, Map<String, Object>> release =
                listener.prepare(new Released(actor, name, v.version(), v.integrity(), how, now));
        try {
            db.write(tx -> {
                PackageRecord pkg = checkPublish(tx, actor, v.name(), v.version(), v.access());
                String requested = v.access();
                if (pkg == null) {
                    pkg = PackageRecord.created(
                            name,
                            v.name().scope(),
                            requested == null ? PackageRecord.PUBLIC : requested,
                            PackageState.ACTIVE,
                            now);
                    store.insert(tx, pkg);
                    store.addMaintainer(tx, name, actor.user(), now);
                } else if (!pkg.active()) {
                    pkg = pkg.withAccess(requested == null ? pkg.access() : requested)
                            .withState(PackageState.ACTIVE)
                            .touchedAt(now);
                } else if (requested != null) {
                    pkg = pkg.withAccess(requested).touchedAt(now);
                }
                store.insertVersion(tx, VersionRecord.of(v, VersionState.PUBLISHED, now, actor.user(), authorisation));
                store.setTag(tx, name, v.tag(), v.version());
                alsoInTx.accept(tx);
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("version", v.version());
                event.put("tag", v.tag());
                event.put("integrity", v.integrity());
                event.put("method", "publish");
                event.putAll(release.apply(tx));
                rows.touchVersions(tx, pkg, now, List.of(v.version()), 1);
                audit.record(tx, actor, "package.publish", "package:" + name, event);
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e, "versions")) {
                throw AirlockException.conflict("Cannot publish " + v.name() + "@" + v.version()
                        + ": that version was published at the same moment by another request.");
            }
            throw e;
        }
    }

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
            pkg = PackageRecord.created(
                    name,
                    v.name().scope(),
                    v.access() == null ? PackageRecord.PUBLIC : v.access(),
                    PackageState.STAGED,
                    now);
            store.insert(tx, pkg);
            store.addMaintainer(tx, name, actor.user(), now);
        }
        store.insertVersion(tx, VersionRecord.of(v, VersionState.STAGED, now, actor.user(), null));
    }

    /** The staged version's manifest (to show and to download what was staged). */
    public VersionRecord stagedVersion(Tx tx, String name, String version) {
        VersionRecord v = store.version(tx, name, version);
        return v != null && v.state() == VersionState.STAGED ? v : null;
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
        List<VersionRecord> published = store.versions(tx, name).stream()
                .filter(VersionRecord::published)
                .toList();
        String highest = PackumentBuilder.highest(
                published.stream().map(VersionRecord::version).toList());
        return published.stream()
                .filter(v -> v.version().equals(highest))
                .findFirst()
                .orElse(null);
    }

    /** Records a refused publish or stage of {@code name} (see {@code AuditService.refused}); returns {@code e}. */
    public AirlockException refused(
            Actor actor, String action, String name, AirlockException e, Map<String, Object> detail) {
        return audit.refused(actor, action, "package:" + name, e, detail);
    }

    /** Approval: the staged version becomes published with the tag fixed at staging, in the caller's transaction. */
    public void releaseStaged(
            Tx tx, Actor approver, String name, String version, String tag, Map<String, Object> detail) {
        VersionRecord v = store.version(tx, name, version);
        if (v == null || v.state() != VersionState.STAGED) {
            throw AirlockException.conflict("Version " + name + "@" + version + " is no longer staged.");
        }
        long now = clock.millis();
        store.publishStaged(tx, name, version, now, dev.airlock.platform.json.Json.write(detail));
        ObjectNode manifest = (ObjectNode) Json.parse(v.manifestJson());
        store.setManifest(tx, name, version, Json.write(rows.sign(manifest, name, version, v.integrity())));
        store.setTag(tx, name, tag, version);
        Map<String, Object> attested =
                listener.released(tx, new Released(approver, name, version, v.integrity(), detail, now));
        PackageRecord pkg = store.find(tx, name);
        if (!pkg.active()) {
            pkg = pkg.withState(PackageState.ACTIVE).touchedAt(now);
        }
        rows.touchVersions(tx, pkg, now, List.of(version), 1);
        Map<String, Object> d = new LinkedHashMap<>(detail);
        d.put("version", version);
        d.put("tag", tag);
        d.put("integrity", v.integrity());
        d.putAll(attested);
        audit.record(tx, approver, "package.publish", "package:" + name, d);
    }

    /** Rejection or expiry: the staged version row goes (its number is free again); a reserved name with nothing left is released. */
    public void discardStaged(Tx tx, String name, String version) {
        store.deleteStaged(tx, name, version);
        PackageRecord pkg = store.find(tx, name);
        if (pkg != null
                && pkg.state() == PackageState.STAGED
                && store.versions(tx, name).isEmpty()) {
            store.deleteReserved(tx, name);
        }
    }

    private static void refuseReuse(VersionRecord existing, String id) {
        if (existing == null) {
            return;
        }
        throw switch (existing.state()) {
            case PUBLISHED ->
                AirlockException.conflict("You cannot publish over the previously published version " + id
                        + ". Bump the version number and publish again.");
            case STAGED -> AirlockException.conflict("Version " + id + " is already staged and waiting for approval.");
            case REJECTED, UNPUBLISHED ->
                AirlockException.conflict("Version " + id + " was "
                        + existing.state().wire() + " and its number cannot be reused. Bump the version number.");
        };
    }

    /**
     * Signs every published version that has no registry signature yet (versions from before signing existed), and
     * rewrites the packuments of the packages it changed: idempotent, one transaction per {@code batch} packages.
     * Returns how many versions it signed.
     */
    public int signUnsigned(int batch) {
        List<String> names = db.read(store::allNames);
        int signed = 0;
        for (int from = 0; from < names.size(); from += batch) {
            List<String> slice = names.subList(from, Math.min(names.size(), from + batch));
            signed += db.write(tx -> {
                int n = 0;
                for (String name : slice) {
                    int before = n;
                    for (VersionRecord v : store.versions(tx, name)) {
                        ObjectNode manifest = (ObjectNode) Json.parse(v.manifestJson());
                        if (v.published() && !manifest.path("dist").has("signatures")) {
                            rows.sign(manifest, name, v.version(), v.integrity());
                            store.setManifest(tx, name, v.version(), Json.write(manifest));
                            n++;
                        }
                    }
                    if (n > before) {
                        rows.rebuild(tx, store.find(tx, name));
                    }
                }
                return n;
            });
        }
        return signed;
    }

    /** Rewrites every packument (the public URL is embedded in tarball URLs). */
    public int rebuildAll() {
        return db.write(tx -> {
            int n = 0;
            for (String name : store.allNames(tx)) {
                rows.rebuild(tx, store.find(tx, name));
                n++;
            }
            return n;
        });
    }
}
