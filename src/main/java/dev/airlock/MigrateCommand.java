package dev.airlock;

import dev.airlock.audit.LogVerifier;
import dev.airlock.ops.Backup;
import dev.airlock.ops.BlobCopy;
import dev.airlock.ops.JdbiMigration;
import dev.airlock.ops.JdbiSnapshots;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.blob.FileSystemBlobStore;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.AirlockException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code airlock migrate --to URL [--blobs TARGET]}: an embedded installation into PostgreSQL (docs/deployment.md). */
@Command(
        name = "migrate",
        description = "Copy a STOPPED embedded installation into an empty PostgreSQL database (and its blobs into"
                + " another blob store), then verify row counts, every blob's SHA-512 and the audit log there.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    Airlock.Common common;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "URL",
            description = "the target: jdbc:postgresql://HOST/DB?user=U&password=P (an empty database)")
    String to;

    @Option(
            names = "--blobs",
            paramLabel = "TARGET",
            description = "where the blobs go: a directory, or s3://BUCKET[/PREFIX]?endpoint=…; default: they stay"
                    + " in blobs.dir")
    String blobs;

    @Override
    public Integer call() throws Exception {
        AirlockConfig source = common.load();
        if (!source.database().sqlite()) {
            throw AirlockException.badRequest("./airlock migrate moves an embedded (SQLite) installation; this one"
                    + " is on " + source.database().url().replaceAll("password=[^&]*", "password=…"));
        }
        if (!to.startsWith("jdbc:postgresql:")) {
            throw AirlockException.badRequest("--to must be a jdbc:postgresql:// URL");
        }
        LogVerifier.Report before;
        try (AirlockAssembly airlock = new AirlockAssembly(source)) {
            before = airlock.audit.verify(List.of(), null);
        }
        if (!before.ok()) {
            throw AirlockException.unprocessable("the audit log of " + source.dataDir() + " does not verify (first"
                    + " bad index " + before.firstBadIndex() + "): run ./airlock audit verify; nothing was copied");
        }
        JdbiMigration.requireEmpty(to); // reads only: a refused target is left as it was
        Database.open(new AirlockConfig.Database(to, "", "", 2)).close(); // Flyway: the same schema version

        BlobStore from = dev.airlock.platform.blob.BlobStores.open(source);
        BlobStore into = blobs == null ? from : blobTarget(blobs);
        // the blob list and the rows come from one snapshot of the source
        JdbiMigration.Copied migrated =
                JdbiMigration.copy(source.database().url(), to, line -> System.out.println("  " + line));
        Map<String, Long> copied = migrated.tables();
        SortedSet<String> keys = migrated.blobs();
        for (String key : keys) {
            if (into == from) {
                BlobCopy.check(from, key);
            } else {
                BlobCopy.copy(from, into, key);
            }
        }

        // the verification pass, on the target as the new nodes will read it
        Map<String, Long> there = JdbiSnapshots.counts(to, List.copyOf(copied.keySet()));
        if (!there.equals(copied)) {
            throw AirlockException.unprocessable("row counts differ: copied " + copied + ", target holds " + there);
        }
        for (String key : keys) {
            BlobCopy.check(into, key);
        }
        common.flags.put("database.url", to);
        if (blobs != null && blobs.startsWith("s3://")) {
            dev.airlock.platform.config.S3Config s3 =
                    dev.airlock.platform.config.S3Config.fromUrl(blobs, System.getenv());
            common.flags.put("blobs.s3.bucket", s3.bucket());
            common.flags.put("blobs.s3.endpoint", s3.endpoint());
            common.flags.put("blobs.s3.region", s3.region());
            common.flags.put("blobs.s3.pathStyle", String.valueOf(s3.pathStyle()));
            common.flags.put("blobs.s3.accessKey", s3.accessKey());
            common.flags.put("blobs.s3.secretKey", s3.secretKey());
            common.flags.put("blobs.s3.prefix", s3.prefix());
        } else if (blobs != null) {
            common.flags.put("blobs.dir", blobs);
        }
        LogVerifier.Report after;
        try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
            after = airlock.audit.verify(List.of(), null);
        }
        if (!after.ok() || after.size() != before.size() || !Arrays.equals(after.root(), before.root())) {
            throw AirlockException.unprocessable("the audit log on the target (" + after.size() + " entries, "
                    + (after.ok() ? "verifies" : "does NOT verify") + ") is not the source's (" + before.size()
                    + " entries): was the server still running? Stop it, drop and recreate the target, migrate again");
        }
        long rows = copied.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(
                "Migrated %d rows in %d tables and %d blobs; counts, blob hashes and the audit log (%d entries, same"
                        + " root) verify on the target.%n",
                rows, copied.size(), keys.size(), after.size());
        System.out.println("Next: set database.url (and the blob store) on every node. The keys of " + source.dataDir()
                + " (" + String.join(", ", Backup.KEY_FILES) + ") are in the target database now, and every node"
                + " takes them from there; keys set in the configuration must be set on every node"
                + " (docs/deployment.md).");
        return 0;
    }

    /**
     * The blob store {@code --blobs} names: a directory, or {@code s3://BUCKET[/PREFIX]?endpoint=URL&region=R&
     * pathStyle=true} (credentials from AIRLOCK_BLOBS_S3_ACCESS_KEY / AIRLOCK_BLOBS_S3_SECRET_KEY, or the AWS SDK's
     * default chain).
     */
    static BlobStore blobTarget(String spec) {
        if (spec.startsWith("s3://")) {
            return dev.airlock.platform.blob.BlobStores.s3(
                    dev.airlock.platform.config.S3Config.fromUrl(spec, System.getenv()));
        }
        return new FileSystemBlobStore(Path.of(spec).toAbsolutePath());
    }
}
