package dev.airlock.platform.blob;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/** Immutable bytes keyed by their SHA-512 (hex). Writing the same bytes twice is a no-op. */
public interface BlobStore {
    /** Stores {@code bytes} under {@code key} (the caller computed the key from the bytes) durably. */
    void put(String key, byte[] bytes) throws IOException;

    /** Stores what {@code in} holds (read to its end, then closed) under {@code key}, durably. */
    void put(String key, InputStream in) throws IOException;

    /**
     * Stores a copy that can be fetched again (the upstream proxy's cache) without waiting for the disk: a crash may
     * lose it or leave it short, so readers check its size against theirs. A later {@link #put} of the same bytes
     * makes it durable.
     */
    void putCopy(String key, byte[] bytes) throws IOException;

    /** As {@link #putCopy(String, byte[])}, from a stream (read to its end, then closed). */
    void putCopy(String key, InputStream in) throws IOException;

    /** Opens the blob; throws {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String key) throws IOException;

    long size(String key) throws IOException;

    /**
     * The local file holding the blob, for stores that keep blobs as files (sent to clients without copying through
     * the heap); null for remote stores, whose blobs are read with {@link #open}. The file may be absent.
     */
    default java.nio.file.Path file(String key) {
        return null;
    }

    boolean exists(String key);

    void delete(String key) throws IOException;

    /** Every key in the store (for the orphan sweep). */
    Set<String> keys() throws IOException;

    /** When the blob was written, epoch millis (the sweep spares young blobs whose publish may be in flight). */
    long writtenAt(String key) throws IOException;

    /**
     * Deletes the temporary files of writes that never finished (a process killed mid-write) last modified before
     * {@code beforeMillis}; returns how many. Stores without such files (S3) have nothing to do.
     */
    default int deleteUnfinishedWrites(long beforeMillis) throws IOException {
        return 0;
    }
}
