package dev.airlock.platform.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Content-addressed files: {@code root/ab/cd/<hex>}. Written to a temp file, fsynced, then moved into place. */
public final class FileSystemBlobStore implements BlobStore {
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{128}");
    private final Path root;
    private final boolean readOnly;

    public FileSystemBlobStore(Path root) {
        this.root = root;
        this.readOnly = false;
        try {
            Files.createDirectories(root.resolve("tmp"));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create blob directory " + root, e);
        }
    }

    private FileSystemBlobStore(Path root, boolean readOnly) {
        this.root = root;
        this.readOnly = readOnly;
    }

    /** A store in this layout (a backup's blobs, say) that is read and never written: writes and deletes throw. */
    public static FileSystemBlobStore readOnly(Path root) {
        return new FileSystemBlobStore(root, true);
    }

    private void requireWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("blob directory " + root + " is read only");
        }
    }

    private Path path(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a blob key");
        }
        return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }

    @Override
    public Path file(String key) {
        return path(key);
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
        write(key, bytes(bytes), true);
    }

    @Override
    public void put(String key, InputStream in) throws IOException {
        try (in) {
            write(key, stream(in), true);
        }
    }

    @Override
    public void putCopy(String key, byte[] bytes) throws IOException {
        write(key, bytes(bytes), false);
    }

    @Override
    public void putCopy(String key, InputStream in) throws IOException {
        try (in) {
            write(key, stream(in), false);
        }
    }

    private static Content bytes(byte[] bytes) {
        return ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        };
    }

    private static Content stream(InputStream in) {
        return ch -> {
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                ByteBuffer buf = ByteBuffer.wrap(chunk, 0, n);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }

    private interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    private void write(String key, Content content, boolean durable) throws IOException {
        requireWritable();
        Path target = path(key);
        if (!durable && Files.exists(target)) {
            return;
        }
        // A durable write rewrites a blob that exists: it may be a copy (putCopy) that never reached the disk whole.
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(root.resolve("tmp"), key.substring(0, 16), ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                if (durable) {
                    ch.force(true);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.exists(target)) {
                    throw e;
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public long size(String key) throws IOException {
        return Files.size(path(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(path(key));
    }

    @Override
    public void delete(String key) throws IOException {
        requireWritable();
        Files.deleteIfExists(path(key));
    }

    @Override
    public Set<String> keys() throws IOException {
        Set<String> keys = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> KEY.matcher(n).matches())
                    .forEach(keys::add);
        }
        return keys;
    }

    @Override
    public int deleteUnfinishedWrites(long beforeMillis) throws IOException {
        requireWritable();
        Path dir = root.resolve("tmp");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (p.getFileName().toString().endsWith(".part")
                            && Files.getLastModifiedTime(p).toMillis() < beforeMillis
                            && Files.deleteIfExists(p)) {
                        deleted++;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // finished (moved into place) or deleted meanwhile
                }
            }
        }
        return deleted;
    }

    @Override
    public long writtenAt(String key) throws IOException {
        return Files.getLastModifiedTime(path(key)).toMillis();
    }
}
