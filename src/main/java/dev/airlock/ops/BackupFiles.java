package dev.airlock.ops;

import dev.airlock.platform.crypto.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;

/** File helpers of backup and restore. */
final class BackupFiles {
    private BackupFiles() {}

    static String sha512(Path file) throws IOException {
        MessageDigest md = Hashes.digest("SHA-512");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Hashes.hex(md.digest());
    }

    /** Copies a key file, readable by its owner only. */
    static void copyPrivate(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        try {
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the copy keeps what the platform gives it
        }
    }

    static void deleteEmptyDir(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing to delete
        }
    }
}
