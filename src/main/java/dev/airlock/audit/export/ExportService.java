package dev.airlock.audit.export;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.cluster.Lease;
import dev.airlock.platform.cluster.Leases;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Export of the audit log to a SIEM (docs/audit.md, "Export"): the log's entries in index order, as ECS JSON, with
 * each signed checkpoint right after the last entry it covers (or as soon as it is signed, when that entry already went
 * out). The HTTP stream reads it from a cursor the client holds; each configured sink has a {@link SinkWorker} that
 * delivers it at least once, in order, from a cursor persisted per sink.
 */
public final class ExportService implements AutoCloseable {
    private final Database db;
    private final Clock clock;
    private final JdbiExportStore store = new JdbiExportStore();
    private final List<Sink> sinks;
    private final Duration maxBackoff;
    private final List<SinkWorker> workers = new ArrayList<>();
    private final Runnable integrate;
    private volatile boolean closed;

    /** Where the HTTP stream writes: each call carries whole lines and is flushed to the client. */
    public interface Lines {
        void write(String lines) throws IOException;
    }

    ExportService(Database db, Clock clock, Runnable integrate, List<Sink> sinks, Duration maxBackoff) {
        this.db = db;
        this.clock = clock;
        this.integrate = integrate;
        this.sinks = List.copyOf(sinks);
        this.maxBackoff = maxBackoff;
    }

    /**
     * The export of {@code db} to the configured sinks (not started). Relative file paths resolve against
     * {@code dataDir}; a CA file that cannot be read is refused now, with the reason.
     */
    public static ExportService create(
            Database db, Clock clock, AuditService audit, List<AirlockConfig.AuditSink> sinks, Path dataDir) {
        List<Sink> built = new ArrayList<>();
        for (AirlockConfig.AuditSink s : sinks) {
            built.add(
                    switch (s.type()) {
                        case "file" -> new FileSink(s.name(), dataDir.resolve(s.path()), s.maxBytes(), s.keep());
                        case "syslog-tls" ->
                            new SyslogSink(
                                    s.name(),
                                    s.host(),
                                    s.port(),
                                    SyslogSink.tls(s.name(), s.caFile().isEmpty() ? null : Path.of(s.caFile())));
                        default -> new SyslogSink(s.name(), s.host(), s.port(), null);
                    });
        }
        return new ExportService(db, clock, audit::integrate, built, Duration.ofSeconds(10));
    }

    /**
     * Writes the stream after {@code from} to {@code out} as JSON Lines; with {@code follow}, keeps writing entries as
     * they are placed in the log (and a bare newline after {@code heartbeat} without one) until the client goes away
     * (the write throws) or the service closes; without, returns at the end of the log.
     */
    public void stream(Cursor from, boolean follow, Duration heartbeat, Lines out) throws IOException {
        integrate.run();
        Cursor at = from;
        long lastWrite = System.nanoTime();
        while (!closed) {
            List<ExportItem> items = after(at, 500);
            if (!items.isEmpty()) {
                StringBuilder chunk = new StringBuilder();
                for (ExportItem item : items) {
                    chunk.append(item.json()).append('\n');
                }
                out.write(chunk.toString());
                at = items.get(items.size() - 1).after();
                lastWrite = System.nanoTime();
                continue;
            }
            if (!follow) {
                return;
            }
            if (System.nanoTime() - lastWrite >= heartbeat.toNanos()) {
                out.write("\n");
                lastWrite = System.nanoTime();
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }

    /**
     * Up to {@code limit} entries after the cursor, with the checkpoints due among them (a checkpoint of size N goes
     * out once entry N−1 has).
     */
    public List<ExportItem> after(Cursor from, int limit) {
        return db.read(tx -> {
            List<JdbiExportStore.Entry> entries = store.entries(tx, from.seq(), limit);
            long last = entries.isEmpty()
                    ? from.seq()
                    : entries.get(entries.size() - 1).seq();
            List<JdbiExportStore.Note> notes = store.checkpoints(tx, from.checkpoint(), last + 1, limit);
            List<ExportItem> out = new ArrayList<>();
            long seq = from.seq();
            long cp = from.checkpoint();
            int n = 0;
            for (int i = 0; i <= entries.size(); i++) {
                while (n < notes.size() && notes.get(n).size() <= seq + 1) {
                    JdbiExportStore.Note note = notes.get(n++);
                    cp = note.size();
                    out.add(new ExportItem(
                            -1,
                            note.at(),
                            "log.checkpoint",
                            false,
                            Json.write(EcsEvents.checkpoint(note.size(), note.root(), note.note(), note.at())),
                            new Cursor(seq, cp)));
                }
                if (i < entries.size()) {
                    JdbiExportStore.Entry e = entries.get(i);
                    seq = e.seq();
                    var ecs = EcsEvents.event(e.seq(), e.entry(), e.leafHash());
                    out.add(new ExportItem(
                            e.seq(),
                            java.time.Instant.parse(ecs.path("@timestamp").asText())
                                    .toEpochMilli(),
                            ecs.path("event").path("action").asText(),
                            "failure".equals(ecs.path("event").path("outcome").asText()),
                            Json.write(ecs),
                            new Cursor(seq, cp)));
                }
            }
            return out;
        });
    }

    /** Where sink {@code name} stands: its persisted cursor, or the start of the log. */
    public Cursor cursor(String name) {
        Cursor c = db.read(tx -> store.cursor(tx, name));
        return c == null ? Cursor.START : c;
    }

    void advance(String name, Cursor c) {
        db.write(tx -> {
            store.saveCursor(tx, name, c, clock.millis());
            return null;
        });
    }

    /** The running sinks' state (empty before {@link #start}). */
    public synchronized List<SinkStatus> status() {
        return workers.stream().map(SinkWorker::status).toList();
    }

    /** Starts one delivery worker per configured sink (one node: no leases). */
    public synchronized void start() {
        start(null, Duration.ZERO);
    }

    /**
     * Starts one delivery worker per configured sink; with several nodes, each sink is delivered by the node holding
     * its lease {@code audit-sink:NAME} in {@code leases} (null: always this node), kept for {@code ttl}.
     */
    public synchronized void start(Leases leases, Duration ttl) {
        for (Sink s : sinks) {
            Lease lease = leases == null ? Lease.ALWAYS : leases.lease("audit-sink:" + s.name(), ttl);
            SinkWorker w = new SinkWorker(this, s, maxBackoff, lease);
            workers.add(w);
            w.start();
        }
    }

    /** Stops the workers (a batch in flight is delivered again after the next start) and closes the sinks. */
    @Override
    public synchronized void close() {
        closed = true;
        for (SinkWorker w : workers) {
            w.stop();
        }
        workers.clear();
    }
}
