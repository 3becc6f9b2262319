package dev.airlock.audit.export;

import dev.airlock.platform.cluster.Lease;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the export stream to one sink at least once, in order. It reads the items after what it sent, delivers
 * them and, once the sink confirms the connection is still open afterwards, persists the cursor; when the sink fails,
 * it goes back to the persisted cursor and tries again with exponential back-off, so nothing is skipped while a
 * collector is down and a restart of Airlock resumes at the persisted cursor (entries sent but not yet confirmed are
 * sent again; their {@code event.sequence} tells them apart). With several nodes on one database, the node that holds
 * the sink's lease delivers; the others wait, and whoever takes the lease over starts at the persisted cursor.
 */
final class SinkWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SinkWorker.class);
    private static final int BATCH = 500;
    private static final long POLL_MS = 200;
    private static final long MIN_BACKOFF_MS = 100;
    private static final long STANDBY_MS = 1_000;

    private final ExportService export;
    private final Sink sink;
    private final Lease lease;
    private final long maxBackoffMs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SinkStatus status;

    SinkWorker(ExportService export, Sink sink, Duration maxBackoff, Lease lease) {
        this.export = export;
        this.sink = sink;
        this.lease = lease;
        this.maxBackoffMs = Math.max(MIN_BACKOFF_MS, maxBackoff.toMillis());
        this.status = new SinkStatus(sink.name(), null, false, null);
        this.thread = new Thread(this::run, "airlock-audit-sink-" + sink.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    SinkStatus status() {
        return status;
    }

    private void run() {
        Cursor confirmed = export.cursor(sink.name());
        status = new SinkStatus(sink.name(), confirmed, false, null);
        Cursor sent = confirmed;
        long backoff = MIN_BACKOFF_MS;
        boolean failing = false;
        boolean holding = true;
        while (running) {
            try {
                if (!lease.hold()) {
                    if (holding) {
                        sink.reset();
                        holding = false;
                    }
                    pause(STANDBY_MS);
                    continue;
                }
                if (!holding) {
                    // another node delivered meanwhile: resume where it confirmed
                    confirmed = export.cursor(sink.name());
                    sent = confirmed;
                    holding = true;
                }
                sink.check();
                if (!sent.equals(confirmed)) {
                    export.advance(sink.name(), sent);
                    confirmed = sent;
                    status = new SinkStatus(sink.name(), confirmed, false, null);
                }
                List<ExportItem> items = export.after(sent, BATCH);
                if (items.isEmpty()) {
                    pause(POLL_MS);
                    continue;
                }
                sink.deliver(items);
                sent = items.get(items.size() - 1).after();
                if (failing) {
                    LOG.info("audit sink {} delivers again", sink.name());
                    failing = false;
                }
                status = new SinkStatus(sink.name(), confirmed, false, null);
                backoff = MIN_BACKOFF_MS;
            } catch (IOException | RuntimeException e) {
                if (!failing) {
                    LOG.warn(
                            "audit sink {} cannot deliver ({}); its entries wait and are retried in order",
                            sink.name(),
                            e.toString());
                    failing = true;
                }
                status = new SinkStatus(sink.name(), confirmed, true, e.toString());
                sink.reset();
                sent = confirmed;
                pause(backoff);
                backoff = Math.min(backoff * 2, maxBackoffMs);
            }
        }
        try {
            if (holding) {
                sink.check();
                if (!sent.equals(confirmed)) {
                    export.advance(sink.name(), sent);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not confirmed: sent again after the next start
        }
        sink.reset();
        try {
            lease.release();
        } catch (RuntimeException e) {
            // the lease expires by itself
        }
    }

    private void pause(long ms) {
        if (running) {
            LockSupport.parkNanos(ms * 1_000_000L);
        }
    }
}
