package dev.airlock.packages;

import dev.airlock.platform.blob.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs no version references. A blob is written before its version row commits, so young blobs are spared:
 * their publish may still be in flight.
 */
public final class BlobSweep {
    private static final Logger LOG = LoggerFactory.getLogger(BlobSweep.class);
    private final PackageService packages;
    private final BlobStore blobs;
    private final Clock clock;
    private final long graceMillis;

    public BlobSweep(PackageService packages, BlobStore blobs, Clock clock, long graceMillis) {
        this.packages = packages;
        this.blobs = blobs;
        this.clock = clock;
        this.graceMillis = graceMillis;
    }

    /** Returns how many blobs were deleted. */
    public int sweep() {
        try {
            Set<String> referenced = packages.referencedBlobs();
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
