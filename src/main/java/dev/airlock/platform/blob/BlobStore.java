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

    /** Opens the blob; throws {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String key) throws IOException;

    long size(String key) throws IOException;

    boolean exists(String key);

    void delete(String key) throws IOException;

    /** Every key in the store (for the orphan sweep). */
    Set<String> keys() throws IOException;

    /** When the blob was written, epoch millis (the sweep spares young blobs whose publish may be in flight). */
    long writtenAt(String key) throws IOException;
}
