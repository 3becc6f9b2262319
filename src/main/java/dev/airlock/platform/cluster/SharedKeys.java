package dev.airlock.platform.cluster;

import dev.airlock.platform.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys every node must agree on (docs/security.md, "Keys of several nodes"): the secret key that encrypts TOTP seeds,
 * the audit log's checkpoint key and the registry signing key. Each feature reads its key from a file in the node's
 * data directory; with several nodes on one database that file is a copy of the one kept in the database ({@code
 * settings}, {@code cluster.key.NAME}). The first node to start stores its key (the file it has, from an installation
 * that predates several nodes, or a new one) with an insert-if-absent; every node, that one included, then writes the
 * stored key to its file. A file that differs from the stored key is moved aside ({@code FILE.replaced-MILLIS}), never
 * deleted.
 */
public final class SharedKeys {
    private static final Logger LOG = LoggerFactory.getLogger(SharedKeys.class);
    private final Database db;
    private final JdbiSharedKeyStore store = new JdbiSharedKeyStore();

    public SharedKeys(Database db) {
        this.db = db;
    }

    /**
     * Makes {@code file} hold the cluster's key {@code name}: the stored one, else (first node) the file's own or
     * {@code generate}'s, stored now. Returns the key text.
     */
    public String materialize(String name, Path file, Supplier<String> generate) {
        String stored = db.read(tx -> store.get(tx, name));
        if (stored == null) {
            String candidate = Files.exists(file) ? read(file) : generate.get().strip();
            stored = db.write(tx -> {
                store.putIfAbsent(tx, name, candidate);
                return store.get(tx, name);
            });
        }
        write(file, stored, true);
        return stored;
    }

    /**
     * Writes the stored key {@code name} to {@code file} when it differs (another node rotated it); the replaced key
     * is not kept (the database keeps the public half of every registry key). A no-op when none is stored.
     */
    public void refresh(String name, Path file) {
        String stored = stored(name);
        if (stored != null) {
            write(file, stored, false);
        }
    }

    /** Stores the key now in {@code file} as the cluster's key {@code name} (after a rotation on this node). */
    public void publish(String name, Path file) {
        String text = read(file);
        db.write(tx -> {
            store.replace(tx, name, text);
            return null;
        });
    }

    /** The cluster's key {@code name} as stored, or null. */
    public String stored(String name) {
        return db.read(tx -> store.get(tx, name));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes {@code text} to {@code file} (0600, by a rename) unless it holds it already; moves a different one aside. */
    static void write(Path file, String text, boolean keepOther) {
        try {
            if (Files.exists(file)) {
                if (read(file).equals(text)) {
                    return;
                }
            }
            if (Files.exists(file) && keepOther) {
                Path aside = file.resolveSibling(file.getFileName() + ".replaced-" + System.currentTimeMillis());
                Files.move(file, aside);
                LOG.warn(
                        "{} held another key than the one the nodes share (kept in the database); it was moved to {}",
                        file,
                        aside);
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(
                    dir,
                    "." + file.getFileName(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shared key " + file, e);
        }
    }
}
