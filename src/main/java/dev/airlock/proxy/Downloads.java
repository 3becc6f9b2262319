package dev.airlock.proxy;

import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.crypto.Checksums;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.io.Spool;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxied tarballs: the stored one when it came from the upstream that serves the name now, otherwise fetched from
 * that upstream, checked against the packument's integrity/shasum before anything is stored, then kept in the blob
 * store (table {@code proxy_tarballs}, with the upstream's URL).
 */
final class Downloads {
    private static final Logger LOG = LoggerFactory.getLogger(Downloads.class);
    private final Database db;
    private final BlobStore blobs;
    private final ProxyStore store;
    private final Clock clock;
    private final long maxTarballBytes;

    Downloads(Database db, BlobStore blobs, ProxyStore store, Clock clock, long maxTarballBytes) {
        this.db = db;
        this.blobs = blobs;
        this.store = store;
        this.clock = clock;
        this.maxTarballBytes = maxTarballBytes;
    }

    /** The stored tarball, when it was fetched from this route's upstream and its blob is there; else null. */
    ProxyService.Tarball stored(Route route, PackageName name, String version) {
        return stored(route, db.read(tx -> store.tarball(tx, name.toString(), version)));
    }

    /** The stored row as a tarball to serve, when it came from this route's upstream and its blob is there. */
    ProxyService.Tarball stored(Route route, ProxyStore.Tarball row) {
        if (row != null && route.url().equals(row.upstream()) && whole(row.blob(), row.size())) {
            return new ProxyService.Tarball(row.blob(), row.size());
        }
        return null;
    }

    /** Whether the blob is there, whole: the cache writes it without waiting for the disk (putCopy). */
    private boolean whole(String blob, long size) {
        try {
            return blobs.size(blob) == size;
        } catch (IOException e) {
            return false; // absent
        }
    }

    /** Fetches, verifies and stores the tarball (the caller holds its single flight). */
    ProxyService.Tarball download(Route route, PackageName name, String version, UpstreamScan.Dist dist) {
        ProxyService.Tarball done = stored(route, name, version);
        if (done != null) {
            return done;
        }
        String id = name + "@" + version;
        if (route.open()) {
            throw new AirlockException(
                    ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + route.url() + " is unreachable (repeated failures) and " + id
                            + " is not cached here. Try again later.");
        }
        String integrity = dist.integrity();
        String shasum = dist.shasum();
        if (dist.tarball() == null) {
            throw new AirlockException(
                    ErrorCode.BAD_GATEWAY,
                    "The upstream registry's packument gives no tarball URL for " + id + "; it cannot be fetched.");
        }
        try (Spool tgz = route.upstream().tarball(dist.tarball(), maxTarballBytes)) {
            route.success();
            Checksums sums = Checksums.of(tgz, Checksums.named(integrity, shasum));
            String mismatch = sums.mismatch(integrity, shasum, "upstream packument");
            if (mismatch != null) {
                LOG.error("Refused the upstream tarball of {} from {}: {}", id, route.url(), mismatch);
                throw new AirlockException(
                        ErrorCode.BAD_GATEWAY,
                        "The upstream registry served a tarball of " + id + " that does not match its packument ("
                                + mismatch + "); it was not stored.");
            }
            String blob = Hashes.hex(sums.digests().get("sha512"));
            if (blobs.exists(blob) && !whole(blob, tgz.size())) {
                blobs.delete(blob); // a copy a crash left short (putCopy does not wait for the disk)
            }
            if (tgz.inMemory()) {
                blobs.putCopy(blob, tgz.bytes());
            } else {
                blobs.putCopy(blob, tgz.open());
            }
            ProxyStore.Tarball stored = new ProxyStore.Tarball(
                    name.toString(),
                    version,
                    blob,
                    tgz.size(),
                    integrity != null ? integrity : sums.sha512(),
                    route.url());
            db.writeCopy(tx -> {
                store.putTarball(tx, stored, clock.millis());
                return null;
            });
            return new ProxyService.Tarball(blob, tgz.size());
        } catch (Upstream.Failure e) {
            route.failed(id, e);
            throw new AirlockException(
                    e.timeout ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.BAD_GATEWAY,
                    "The upstream registry " + route.url() + " did not deliver the tarball of " + id + ": "
                            + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
