package dev.airlock.ops;

import dev.airlock.platform.blob.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** A backup's blob directory (the filesystem store's layout, root/ab/cd/KEY), read without writing to it. */
final class ReadOnlyBlobs implements BlobStore {
    private final Path root;

    ReadOnlyBlobs(Path root) {
        this.root = root;
    }

    private Path path(String key) {
        if (!key.matches("[0-9a-f]{128}")) {
            throw new IllegalArgumentException("not a blob key: " + key);
        }
        return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
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
        return Files.isRegularFile(path(key));
    }

    @Override
    public long writtenAt(String key) throws IOException {
        return Files.getLastModifiedTime(path(key)).toMillis();
    }

    @Override
    public void put(String key, byte[] bytes) {
        throw new UnsupportedOperationException("a backup is read only");
    }

    @Override
    public void put(String key, InputStream in) {
        throw new UnsupportedOperationException("a backup is read only");
    }

    @Override
    public void putCopy(String key, byte[] bytes) {
        throw new UnsupportedOperationException("a backup is read only");
    }

    @Override
    public void putCopy(String key, InputStream in) {
        throw new UnsupportedOperationException("a backup is read only");
    }

    @Override
    public void delete(String key) {
        throw new UnsupportedOperationException("a backup is read only");
    }

    @Override
    public Set<String> keys() {
        throw new UnsupportedOperationException("not needed to restore");
    }
}
