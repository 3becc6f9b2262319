package dev.airlock;

import dev.airlock.audit.LogVerifier;
import dev.airlock.ops.Backup;
import dev.airlock.ops.Restore;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.AirlockException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code airlock backup DIR}: a consistent copy of a running embedded installation (docs/deployment.md). */
@Command(
        name = "backup",
        description = "Copy a running embedded installation (SQLite database, the blobs it refers to, key files) into a"
                + " new directory. On PostgreSQL use pg_dump and bucket versioning instead (docs/deployment.md).")
final class BackupCommand implements Callable<Integer> {
    @Mixin
    Airlock.Common common;

    @Parameters(index = "0", paramLabel = "DIR", description = "a new or empty directory to write the backup to")
    Path dir;

    @Override
    public Integer call() throws Exception {
        AirlockConfig config = common.load();
        if (!config.database().sqlite()) {
            throw AirlockException.badRequest(Backup.ON_POSTGRES);
        }
        try (Database db = Database.open(config.database())) {
            Backup.Result r = Backup.run(
                    db, dev.airlock.platform.blob.BlobStores.open(config), config.dataDir(), dir, Clock.systemUTC());
            long rows = r.tables().values().stream().mapToLong(Long::longValue).sum();
            System.out.printf(
                    "Backed up %d rows in %d tables, %d blobs (%d bytes) and %s to %s%n",
                    rows, r.tables().size(), r.blobs(), r.blobBytes(), String.join(", ", r.files()), dir);
            if (!r.files().contains("secret.key")) {
                System.out.println("The secret key is in the configuration (security.secretKey): keep it with the"
                        + " backup, or the restored TOTP seeds cannot be read.");
            }
        }
        return 0;
    }

    /** {@code airlock restore DIR --data NEWDIR}: a backup into a new embedded installation. */
    @Command(
            name = "restore",
            description = "Restore a backup (./airlock backup) into a new, empty data directory, checking every file"
                    + " against the backup's manifest and verifying the audit log.")
    static final class RestoreCommand implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "DIR", description = "the backup directory")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (common.data == null) {
                throw new IllegalArgumentException("name the new data directory: --data NEWDIR");
            }
            AirlockConfig config = common.load();
            if (!config.database().sqlite()) {
                throw AirlockException.badRequest("./airlock restore writes an embedded installation; restore it,"
                        + " then move it with ./airlock migrate (docs/deployment.md)");
            }
            String url = config.database().url().substring("jdbc:sqlite:".length());
            Path file = Path.of(url.contains("?") ? url.substring(0, url.indexOf('?')) : url);
            Restore.Result r = Restore.run(dir, config.dataDir(), file, config.blobDir());
            LogVerifier.Report audit;
            try (AirlockAssembly airlock = new AirlockAssembly(config)) {
                audit = airlock.audit.verify(List.of(), null);
            }
            if (!audit.ok()) {
                audit.findings().forEach(f -> System.err.println("airlock: " + f));
                throw AirlockException.unprocessable("the restored audit log does NOT verify (first bad index "
                        + audit.firstBadIndex() + "): do not serve " + config.dataDir());
            }
            long rows = r.tables().values().stream().mapToLong(Long::longValue).sum();
            System.out.printf(
                    "Restored %d rows in %d tables, %d blobs and %s into %s; the audit log verifies (%d entries).%n",
                    rows, r.tables().size(), r.blobs(), String.join(", ", r.files()), config.dataDir(), audit.size());
            return 0;
        }
    }
}
