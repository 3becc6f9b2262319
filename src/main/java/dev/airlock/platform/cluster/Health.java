package dev.airlock.platform.cluster;

import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Whether this node can serve (docs/deployment.md, "Health"): the database answers {@code SELECT 1} (every probe),
 * every migration this build has is applied, and the blob store takes, returns and deletes a tiny probe blob of this
 * node's. The migration and blob checks are remembered for {@link #SLOW_CHECK_MS}, so a load balancer probing every
 * second costs the blob store one write every few seconds.
 */
public final class Health {
    static final long SLOW_CHECK_MS = 3_000;
    private final Database db;
    private final BlobStore blobs;
    private final byte[] probe;
    private final String probeKey;
    private final LongSupplier clock;
    private boolean checked;
    private long checkedAt;
    private String slowProblem;

    public Health(Database db, BlobStore blobs, String nodeHolder) {
        this(db, blobs, nodeHolder, System::currentTimeMillis);
    }

    Health(Database db, BlobStore blobs, String nodeHolder, LongSupplier clock) {
        this.db = db;
        this.blobs = blobs;
        this.clock = clock;
        this.probe = ("airlock readiness probe of " + nodeHolder).getBytes(StandardCharsets.UTF_8);
        this.probeKey = sha512Hex(probe);
    }

    /** Null when this node is ready, else what is wrong (one sentence for the operator). */
    public String problem() {
        try {
            db.ping();
        } catch (RuntimeException e) {
            return "the database does not answer: " + reason(e);
        }
        synchronized (this) {
            long now = clock.getAsLong();
            if (!checked || now - checkedAt >= SLOW_CHECK_MS || now < checkedAt) {
                slowProblem = slowChecks();
                checkedAt = now;
                checked = true;
            }
            return slowProblem;
        }
    }

    private String slowChecks() {
        try {
            List<String> pending = db.pendingMigrations();
            if (!pending.isEmpty()) {
                return "database migrations " + pending + " are not applied (start a node of this version to apply"
                        + " them)";
            }
        } catch (RuntimeException e) {
            return "cannot read the database's migration history: " + reason(e);
        }
        try {
            blobs.put(probeKey, probe);
            byte[] back;
            try (InputStream in = blobs.open(probeKey)) {
                back = in.readAllBytes();
            }
            blobs.delete(probeKey);
            if (!Arrays.equals(back, probe)) {
                return "the blob store returned other bytes than it was given";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "the blob store cannot store, read and delete a probe: " + reason(e);
        }
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    private static String sha512Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
