package dev.airlock.packages;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.signing.RegistrySigner;
import dev.airlock.signing.SignatureRef;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * What every package use case shares inside its transaction: finding a row the actor may see or change (404 for what
 * they may not see), bumping the revision and rewriting both stored packuments, and the revision check npm's
 * /-rev/ paths carry.
 */
final class PackageRows {
    final Database db;
    final PackageStore store;
    final PackageAccess access;
    final AuditService audit;
    final Clock clock;
    /** The public URL tarball URLs start with (the serving node's; see AirlockAssembly). */
    final Supplier<String> base;

    final BlobStore blobs;
    /** Signs every version as it becomes visible (its {@code dist.signatures}). */
    final RegistrySigner signer;

    PackageRows(
            Database db,
            PackageStore store,
            PackageAccess access,
            AuditService audit,
            Clock clock,
            Supplier<String> base,
            BlobStore blobs,
            RegistrySigner signer) {
        this.db = db;
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
        this.base = base;
        this.blobs = blobs;
        this.signer = signer;
    }

    /**
     * Sets {@code dist.signatures} of a version's manifest to the registry's signature over
     * {@code name@version:integrity}, the integrity being the manifest's {@code dist.integrity} (set to
     * {@code integrity} when it has none), exactly what npm verifies. Returns the manifest.
     */
    ObjectNode sign(ObjectNode manifest, String name, String version, String integrity) {
        ObjectNode dist = manifest.withObject("/dist");
        if (!dist.path("integrity").isTextual()) {
            dist.put("integrity", integrity);
        }
        SignatureRef s = signer.signVersion(name, version, dist.get("integrity").asText());
        ArrayNode list = dist.putArray("signatures");
        list.addObject().put("keyid", s.keyid()).put("sig", s.sig());
        return manifest;
    }

    PackageRecord visible(Tx tx, Actor actor, PackageName name) {
        PackageRecord pkg = store.find(tx, name.toString());
        if (pkg == null || !pkg.active() || !access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())) {
            throw PackageAccess.notFound(name.toString());
        }
        return pkg;
    }

    PackageRecord writable(Tx tx, Actor actor, PackageName name) {
        PackageRecord pkg = store.find(tx, name.toString());
        if (pkg == null || !pkg.active()) {
            throw PackageAccess.notFound(name.toString());
        }
        access.requireWrite(tx, actor, pkg);
        return pkg;
    }

    /** Bumps the revision and rewrites both packuments (or removes them when nothing is published). */
    void touch(Tx tx, PackageRecord pkg, long now) {
        PackageRecord next = pkg.nextRevision(now);
        store.update(tx, next);
        rebuild(tx, next);
    }

    void rebuild(Tx tx, PackageRecord pkg) {
        List<VersionRecord> rows = store.versions(tx, pkg.name());
        if (!pkg.active() || rows.stream().noneMatch(VersionRecord::published)) {
            store.deletePackument(tx, pkg.name());
            return;
        }
        PackumentBuilder.Built built = PackumentBuilder.build(
                base.get(), pkg, rows, store.tags(tx, pkg.name()), store.maintainers(tx, pkg.name()));
        store.savePackument(
                tx, pkg.name(), built.full(), built.abbreviated(), built.rev(), pkg.modifiedAt(), built.searchText());
    }

    void checkRev(Tx tx, PackageRecord pkg, String rev) {
        String current = store.rev(tx, pkg.name());
        if (rev != null && current != null && !rev.equals(current)) {
            throw AirlockException.conflict("The package changed since you read it (revision " + rev
                    + " is not current " + current + "). Run the command again.");
        }
    }
}
