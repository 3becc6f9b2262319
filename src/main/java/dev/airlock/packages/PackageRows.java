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
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every package use case shares inside its transaction: finding a row the actor may see or change (404 for what
 * they may not see), bumping the revision and rewriting the packuments' stored parts (one version's fragments and the
 * head on a publish, everything only on rare changes), and the revision check npm's
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
    /** The assembled documents kept in memory (told of every change after its commit). */
    final PackumentCache cache;
    /** Told the name of every package changed, after the commit (to tell the other nodes). */
    volatile java.util.function.Consumer<String> onChange = n -> {};
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
            RegistrySigner signer,
            PackumentCache cache) {
        this.db = db;
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
        this.base = base;
        this.blobs = blobs;
        this.signer = signer;
        this.cache = cache;
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

    /**
     * Bumps the revision and re-renders every part of the packuments (or removes them when nothing is published):
     * for the rare changes that touch every version (maintainers, unpublish, imports). Cost grows with the history.
     */
    void touch(Tx tx, PackageRecord pkg, long now) {
        PackageRecord next = pkg.nextRevision(now);
        store.update(tx, next);
        rebuild(tx, next);
    }

    /**
     * Bumps the revision, re-renders the fragments of {@code versions} (published or re-rendered: deprecated, say)
     * and writes the head: what a publish, an approval or a deprecation costs, the same at any history length.
     * {@code added} is how many of them became published in this change.
     */
    void touchVersions(Tx tx, PackageRecord pkg, long now, java.util.Collection<String> versions, int added) {
        PackumentParts.Head old = store.head(tx, pkg.name());
        PackageRecord next = pkg.nextRevision(now);
        store.update(tx, next);
        if (old == null || !next.active()) {
            rebuild(tx, next); // first publish, or back after a whole unpublish
            return;
        }
        Map<String, String> maintainers = store.maintainers(tx, next.name());
        com.fasterxml.jackson.databind.node.ArrayNode list = PackumentBuilder.maintainerList(maintainers);
        PackageName name = PackageName.parse(next.name());
        Map<String, VersionRecord> rendered = new java.util.HashMap<>();
        for (String version : versions) {
            VersionRecord v = store.version(tx, next.name(), version);
            store.saveFragment(tx, next.name(), PackumentParts.fragment(base.get(), name, v, list));
            rendered.put(version, v);
        }
        Map<String, String> tags = store.tags(tx, next.name());
        String latest = tags.get("latest");
        if (latest == null) {
            // no latest tag: the highest published version, found by comparing the new ones with the current one
            List<String> candidates = new java.util.ArrayList<>(versions);
            if (old.latest() != null) {
                candidates.add(old.latest());
            }
            latest = PackumentBuilder.highest(candidates);
        }
        writeHead(tx, next, old.count() + added, tags, maintainers, latest, rendered.get(latest));
    }

    /** Bumps the revision and writes the head only: dist-tag and access changes. */
    void touchHead(Tx tx, PackageRecord pkg, long now) {
        PackumentParts.Head old = store.head(tx, pkg.name());
        PackageRecord next = pkg.nextRevision(now);
        store.update(tx, next);
        if (old == null || !next.active()) {
            rebuild(tx, next);
            return;
        }
        Map<String, String> tags = store.tags(tx, next.name());
        String latest = tags.get("latest");
        if (latest == null) {
            latest = PackumentBuilder.highest(store.publishedVersions(tx, next.name())); // rare: no latest tag
        }
        writeHead(tx, next, old.count(), tags, store.maintainers(tx, next.name()), latest, null);
    }

    private void writeHead(
            Tx tx,
            PackageRecord pkg,
            int count,
            Map<String, String> tags,
            Map<String, String> maintainers,
            String latest,
            VersionRecord known) {
        VersionRecord v = known != null ? known : latest == null ? null : store.version(tx, pkg.name(), latest);
        PackumentParts.Head head =
                PackumentParts.head(pkg, count, tags, maintainers, v != null && v.published() ? v : null);
        store.saveHead(tx, pkg.name(), head, pkg.modifiedAt());
        changed(tx, pkg.name());
    }

    /** Re-renders every part of {@code pkg}'s packuments from its rows (or removes them when nothing is published). */
    void rebuild(Tx tx, PackageRecord pkg) {
        changed(tx, pkg.name());
        store.deleteFragments(tx, pkg.name());
        List<VersionRecord> rows = store.versions(tx, pkg.name());
        List<VersionRecord> published =
                rows.stream().filter(VersionRecord::published).toList();
        if (!pkg.active() || published.isEmpty()) {
            store.deleteHead(tx, pkg.name());
            return;
        }
        Map<String, String> maintainers = store.maintainers(tx, pkg.name());
        com.fasterxml.jackson.databind.node.ArrayNode list = PackumentBuilder.maintainerList(maintainers);
        PackageName name = PackageName.parse(pkg.name());
        for (VersionRecord v : published) {
            store.saveFragment(tx, pkg.name(), PackumentParts.fragment(base.get(), name, v, list));
        }
        Map<String, String> tags = store.tags(tx, pkg.name());
        String latest = tags.get("latest");
        if (latest == null) {
            latest = PackumentBuilder.highest(
                    published.stream().map(VersionRecord::version).toList());
        }
        String l = latest;
        VersionRecord v = published.stream()
                .filter(r -> r.version().equals(l))
                .findFirst()
                .orElse(null);
        store.saveHead(
                tx, pkg.name(), PackumentParts.head(pkg, published.size(), tags, maintainers, v), pkg.modifiedAt());
    }

    /** After this transaction commits, every node forgets the package's documents held in memory. */
    void changed(Tx tx, String name) {
        tx.afterCommit(() -> {
            cache.invalidate(name);
            onChange.accept(name);
        });
    }

    void checkRev(Tx tx, PackageRecord pkg, String rev) {
        String current = store.rev(tx, pkg.name());
        if (rev != null && current != null && !rev.equals(current)) {
            throw AirlockException.conflict("The package changed since you read it (revision " + rev
                    + " is not current " + current + "). Run the command again.");
        }
    }
}
