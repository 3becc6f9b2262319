package dev.airlock.packages;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * npm unpublish: versions (the PUT that lists the ones to keep, then the tarball DELETE) or the whole package. An
 * unpublished version number is never used again; tags that pointed at it go, and latest moves to the highest left.
 */
public final class Unpublish {
    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final AuditService audit;
    private final Clock clock;

    Unpublish(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.audit = rows.audit;
        this.clock = rows.clock;
    }

    /**
     * npm unpublish of single versions: the PUT body lists the versions to keep; every published version missing from
     * it is unpublished. Nothing else from the body is applied. Its number can never be used again.
     */
    public List<String> unpublishExcept(Actor actor, PackageName name, String rev, Set<String> keep) {
        return db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            rows.checkRev(tx, pkg, rev);
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
            db.read(tx -> rows.writable(tx, actor, name));
            return;
        }
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
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
            store.setVersionState(tx, pkg.name(), version, VersionState.UNPUBLISHED, true);
        }
        List<String> remaining = store.versions(tx, pkg.name()).stream()
                .filter(VersionRecord::published)
                .map(VersionRecord::version)
                .toList();
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (versions.contains(t.getValue())) {
                store.removeTag(tx, pkg.name(), t.getKey());
            }
        }
        PackageRecord next = pkg;
        if (remaining.isEmpty()) {
            next = pkg.withState(PackageState.UNPUBLISHED);
        } else if (versions.contains(tags.get("latest"))) {
            store.setTag(tx, pkg.name(), "latest", PackumentBuilder.highest(remaining));
        }
        rows.touch(tx, next, clock.millis());
        audit.record(tx, actor, "package.unpublish", "package:" + pkg.name(), Map.of("versions", versions));
    }

    public void unpublishAll(Actor actor, PackageName name, String rev) {
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            rows.checkRev(tx, pkg, rev);
            List<String> all = store.versions(tx, pkg.name()).stream()
                    .filter(VersionRecord::published)
                    .map(VersionRecord::version)
                    .toList();
            for (String tag : store.tags(tx, pkg.name()).keySet()) {
                store.removeTag(tx, pkg.name(), tag);
            }
            for (String version : all) {
                store.setVersionState(tx, pkg.name(), version, VersionState.UNPUBLISHED, true);
            }
            PackageRecord gone = pkg.withState(PackageState.UNPUBLISHED);
            rows.touch(tx, gone, clock.millis());
            audit.record(
                    tx, actor, "package.unpublish", "package:" + pkg.name(), Map.of("versions", all, "whole", true));
            return null;
        });
    }
}
