package dev.airlock.packages;

import dev.airlock.platform.blob.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs nothing references (no version, no proxied tarball). A blob is written before its version row commits, so young blobs are spared:
 * their publish may still be in flight.
 */
public final class BlobSweep {
    private static final Logger LOG = LoggerFactory.getLogger(BlobSweep.class);
    /** Every blob key still referenced (by versions here, and by the proxy's cached tarballs). */
    private final java.util.function.Supplier<Set<String>> referenced;

    private final BlobStore blobs;
    private final Clock clock;
    private final long graceMillis;

    public BlobSweep(
            java.util.function.Supplier<Set<String>> referenced, BlobStore blobs, Clock clock, long graceMillis) {
        this.referenced = referenced;
        this.blobs = blobs;
        this.clock = clock;
        this.graceMillis = graceMillis;
    }

    /** Returns how many blobs were deleted. */
    public int sweep() {
        try {
            Set<String> referenced = this.referenced.get();
            int deleted = 0;
            for (String key : blobs.keys()) {
                if (!referenced.contains(key) && clock.millis() - blobs.writtenAt(key) > graceMillis) {
                    blobs.delete(key);
                    deleted++;
                }
            }
            if (deleted > 0) {
                LOG.info("Swept {} orphaned blob(s)", deleted);
            }
            return deleted;
        } catch (IOException e) {
            LOG.warn("Blob sweep failed: {}", e.toString());
            return 0;
        }
    }
}
