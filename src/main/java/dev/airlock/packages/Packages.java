package dev.airlock.packages;

import dev.airlock.audit.AuditService;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.db.Database;
import dev.airlock.signing.RegistrySigner;
import java.time.Clock;

/**
 * The packages feature's use cases, built together on one store: reads (and the facts the policy gate decides on),
 * versions (publish, staged insert, release, discard, rebuild), dist-tags, deprecation, unpublish, ownership and
 * access. Each is a small public service; none decides who may act (that is the policy gate's).
 */
public record Packages(
        PackageService reads,
        PackageVersions versions,
        DistTags distTags,
        Deprecation deprecation,
        Unpublish unpublish,
        Ownership ownership,
        Imports imports) {
    public static Packages create(
            Database db,
            BlobStore blobs,
            OrgService orgs,
            AuditService audit,
            Clock clock,
            java.util.function.Supplier<String> publicBase,
            boolean anonymousRead,
            RegistrySigner signer,
            long packumentCacheBytes) {
        JdbiPackageStore store = new JdbiPackageStore();
        PackageRows rows = new PackageRows(
                db,
                store,
                new PackageAccess(store, orgs, anonymousRead),
                audit,
                clock,
                publicBase,
                blobs,
                signer,
                new PackumentCache(packumentCacheBytes, PackumentCache.MAX_AGE));
        return new Packages(
                new PackageService(rows),
                new PackageVersions(rows),
                new DistTags(rows),
                new Deprecation(rows),
                new Unpublish(rows),
                new Ownership(rows),
                new Imports(rows));
    }
}
