package dev.airlock.ops;

import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.blob.FileSystemBlobStore;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A consistent copy of a running embedded installation: the SQLite database first ({@code VACUUM INTO}, a snapshot
 * taken in one read transaction while writers carry on), then every blob that snapshot refers to (blobs are immutable
 * and written before the rows that name them, so each exists already), then the key files, then a manifest.
 */
public final class Backup {
    /** The key files of a data directory a restored installation needs (those that exist are copied). */
    public static final List<String> KEY_FILES = List.of("secret.key", "audit-log.key", "signing.key");

    /** Why the command refuses a PostgreSQL installation, and what to do instead. */
    public static final String ON_POSTGRES = "./airlock backup copies the embedded SQLite database; on PostgreSQL"
            + " back up with pg_dump and the blob store's own versioning (docs/deployment.md, \"Backups\")";

    static final String DATABASE = "airlock.db";
    static final String BLOBS = "blobs";
    static final String MANIFEST = "manifest.json";

    public record Result(Map<String, Long> tables, int blobs, long blobBytes, List<String> files) {}

    private Backup() {}

    public static Result run(Database db, BlobStore blobs, Path dataDir, Path target, Clock clock) throws IOException {
        if (!db.sqlite()) {
            throw AirlockException.badRequest(ON_POSTGRES);
        }
        requireEmpty(target, "the backup directory");
        Files.createDirectories(target);
        Path file = target.resolve(DATABASE).toAbsolutePath();
        JdbiSnapshots.vacuumInto(db, file);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "airlock-backup/1");
        manifest.put("createdAt", clock.instant().toString());
        manifest.put("database", Map.of("file", DATABASE, "sha512", BackupFiles.sha512(file)));
        JdbiSnapshots.Summary snapshot = JdbiSnapshots.summary(file);
        Map<String, Long> tables = snapshot.tables();
        Map<String, Long> copied = new LinkedHashMap<>();
        long bytes = 0;
        BlobStore into = new FileSystemBlobStore(target.resolve(BLOBS));
        for (String key : snapshot.blobs()) {
            long size = BlobCopy.copy(blobs, into, key);
            copied.put(key, size);
            bytes += size;
        }
        BackupFiles.deleteEmptyDir(target.resolve(BLOBS).resolve("tmp"));
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : KEY_FILES) {
            Path key = dataDir.resolve(name);
            if (Files.isRegularFile(key)) {
                BackupFiles.copyPrivate(key, target.resolve(name));
                files.put(name, BackupFiles.sha512(key));
            }
        }
        manifest.put("tables", tables);
        manifest.put("blobs", copied);
        manifest.put("files", files);
        Files.writeString(target.resolve(MANIFEST), Json.write(manifest) + "\n", StandardCharsets.UTF_8);
        return new Result(tables, copied.size(), bytes, List.copyOf(files.keySet()));
    }

    /** Refuses a path that exists and is not an empty directory. */
    static void requireEmpty(Path dir, String what) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw AirlockException.badRequest(what + " " + dir + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw AirlockException.badRequest(what + " " + dir + " is not empty: give a new or empty directory");
            }
        }
    }
}
