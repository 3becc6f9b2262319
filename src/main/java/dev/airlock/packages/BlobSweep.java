package dev.airlock.packages;

import dev.airlock.platform.blob.BlobStore;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs nothing references (no version, no proxied tarball), and the temporary files of writes a killed
 * process never finished, once they are older than the grace period. Safe with several nodes on one database and one
 * blob store:
 *
 * <ul>
 *   <li>A blob is written before the row that refers to it commits, so blobs younger than the grace period are
 *       spared: their publish may still be in flight on any node. A store refreshes the write time of a blob that is
 *       put again (the filesystem rewrites it; S3 touches an old object), so re-publishing the bytes of an old orphan
 *       makes it young again.
 *   <li>The snapshot of referenced keys is taken once, but each candidate is checked again in the database right
 *       before it is deleted: a row that committed since the snapshot (on this node or another) keeps its blob.
 * </ul>
 */
public final class BlobSweep {
    private static final Logger LOG = LoggerFactory.getLogger(BlobSweep.class);
    /** Every blob key still referenced (by versions here, and by the proxy's cached tarballs). */
    private final Supplier<Set<String>> referenced;
    /** Whether one key is referenced now (asked of the database right before a delete). */
    private final Predicate<String> stillReferenced;

    private final BlobStore blobs;
    private final Clock clock;
    private final long graceMillis;

    public BlobSweep(
            Supplier<Set<String>> referenced,
            Predicate<String> stillReferenced,
            BlobStore blobs,
            Clock clock,
            long graceMillis) {
        this.referenced = referenced;
        this.stillReferenced = stillReferenced;
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
                if (!referenced.contains(key) && deleteIfOrphan(key)) {
                    deleted++;
                }
            }
            int unfinished = blobs.deleteUnfinishedWrites(clock.millis() - graceMillis);
            if (deleted > 0 || unfinished > 0) {
                LOG.info("Swept {} orphaned blob(s) and {} unfinished write(s)", deleted, unfinished);
            }
            return deleted;
        } catch (IOException e) {
            LOG.warn("Blob sweep failed: {}", e.toString());
            return 0;
        }
    }

    private boolean deleteIfOrphan(String key) throws IOException {
        try {
            if (clock.millis() - blobs.writtenAt(key) <= graceMillis) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return false; // deleted meanwhile (another node's sweep)
        }
        if (stillReferenced.test(key)) {
            return false;
        }
        blobs.delete(key);
        return true;
    }
}
