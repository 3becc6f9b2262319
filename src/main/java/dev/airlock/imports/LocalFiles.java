package dev.airlock.imports;

import dev.airlock.platform.io.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** What the sources share: files read only inside their root, tarballs as spools, lenient times. */
final class LocalFiles {
    /** Up to this many bytes of a tarball stay in memory; the rest goes to an unlinked temporary file. */
    private static final int IN_MEMORY = 1 << 20;

    private LocalFiles() {}

    /** The directory as a real path (symbolic links resolved), so that what lies under it can be checked. */
    static Path root(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException(dir + " is not a directory");
        }
        return real;
    }

    /** Whether the path, with every symbolic link resolved, is still under the root (false when it does not exist). */
    static boolean inside(Path root, Path path) {
        try {
            return path.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    /** The path's real location, refused when a symbolic link leads out of the root. */
    static Path within(Path root, Path path) throws IOException {
        Path real = path.toRealPath();
        if (!real.startsWith(root)) {
            throw new IOException(path + " is a symbolic link to " + real + ", outside " + root + "; it is not read");
        }
        return real;
    }

    /** The file's bytes as a spool; more than {@code maxBytes} of them is an error naming the limit. */
    static Spool spool(Path root, Path file, long maxBytes) throws IOException {
        Path real = within(root, file);
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file");
        }
        try (InputStream in = Files.newInputStream(real);
                Spool.Writer out = new Spool.Writer(Path.of(System.getProperty("java.io.tmpdir")), IN_MEMORY)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException(file + " is larger than the limit of " + maxBytes + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.finish();
        }
    }

    /** An ISO-8601 time (with Z, an offset, or none: UTC) or epoch millis, as epoch millis; null when not a time. */
    static Long epochMillis(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        if (t.chars().allMatch(Character::isDigit) && t.length() < 18) {
            return Long.parseLong(t);
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException notOffset) {
            try {
                return Instant.parse(t).toEpochMilli();
            } catch (DateTimeParseException notInstant) {
                try {
                    return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
                } catch (DateTimeParseException notLocal) {
                    return null;
                }
            }
        }
    }
}
