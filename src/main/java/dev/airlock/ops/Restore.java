package dev.airlock.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.blob.FileSystemBlobStore;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a backup ({@link Backup}) into a new embedded installation: only into an empty data directory, and only after
 * every file of the backup checked out against the manifest (the database and key files by their SHA-512, each blob
 * by its key). The caller then verifies the audit log on the restored installation.
 */
public final class Restore {
    public record Result(Map<String, Long> tables, int blobs, List<String> files) {}

    private Restore() {}

    public static Result run(Path backup, Path dataDir, Path databaseFile, Path blobDir) throws IOException {
        Path manifestFile = backup.resolve(Backup.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw AirlockException.badRequest(backup + " is not a backup: it has no " + Backup.MANIFEST);
        }
        Backup.requireEmpty(dataDir, "the data directory");
        Backup.requireEmpty(blobDir, "the blob directory");
        if (Files.exists(databaseFile)) {
            throw AirlockException.badRequest("the database file " + databaseFile + " exists already");
        }
        JsonNode manifest = Json.parse(Files.readAllBytes(manifestFile));

        // check everything first: nothing is written unless the whole backup is sound
        Path db = backup.resolve(Backup.DATABASE);
        requireHash(db, manifest.path("database").path("sha512").asText());
        List<String> files = new ArrayList<>();
        manifest.path("files").fieldNames().forEachRemaining(files::add);
        for (String name : files) {
            if (!Backup.KEY_FILES.contains(name)) {
                throw AirlockException.unprocessable("the manifest names an unexpected file " + name);
            }
            requireHash(backup.resolve(name), manifest.path("files").path(name).asText());
        }
        List<String> keys = new ArrayList<>();
        manifest.path("blobs").fieldNames().forEachRemaining(keys::add);
        BlobStore from = FileSystemBlobStore.readOnly(backup.resolve(Backup.BLOBS));
        for (String key : keys) {
            if (!from.exists(key)) {
                throw AirlockException.unprocessable("the backup lacks blob " + key);
            }
            BlobCopy.check(from, key);
        }

        Files.createDirectories(dataDir);
        Files.createDirectories(databaseFile.toAbsolutePath().getParent());
        Files.copy(db, databaseFile);
        for (String name : files) {
            BackupFiles.copyPrivate(backup.resolve(name), dataDir.resolve(name));
        }
        BlobStore into = new FileSystemBlobStore(blobDir);
        for (String key : keys) {
            BlobCopy.copy(from, into, key);
        }
        JdbiSnapshots.Summary restored = JdbiSnapshots.summary(databaseFile);
        Map<String, Long> tables = restored.tables();
        for (String key : restored.blobs()) {
            if (!into.exists(key)) {
                throw AirlockException.unprocessable(
                        "the restored database refers to blob " + key + ", which the backup does not hold");
            }
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        manifest.path("tables")
                .properties()
                .forEach(f -> expected.put(f.getKey(), f.getValue().asLong()));
        if (!expected.equals(tables)) {
            throw AirlockException.unprocessable(
                    "the restored database's row counts " + tables + " differ from the manifest's " + expected);
        }
        return new Result(tables, keys.size(), files);
    }

    private static void requireHash(Path file, String sha512) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw AirlockException.unprocessable("the backup lacks " + file.getFileName());
        }
        if (!BackupFiles.sha512(file).equals(sha512)) {
            throw AirlockException.unprocessable(file + " is damaged: its SHA-512 differs from the manifest's");
        }
    }
}
