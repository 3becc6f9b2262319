package dev.airlock.audit;

import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The append-only, hash-chained audit log. {@link #record} runs inside the caller's transaction, so an event exists
 * exactly when the change it describes was committed.
 */
public final class AuditService {
    static final String GENESIS = "0".repeat(64);
    private final Database db;
    private final AuditStore store;
    private final Clock clock;

    AuditService(Database db, AuditStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    public static AuditService create(Database db, Clock clock) {
        return new AuditService(db, new JdbiAuditStore(), clock);
    }

    public void record(Tx tx, Actor actor, String action, String target, Map<String, ?> detail) {
        AuditEvent last = store.last(tx);
        long seq = last == null ? 1 : last.seq() + 1;
        String prev = last == null ? GENESIS : last.hash();
        long at = clock.millis();
        Map<String, Object> sorted = detail == null ? Map.of() : new TreeMap<>(detail);
        String actorName = actor.describe() + (actor.credential() == null ? "" : " (" + actor.credential() + ")");
        String hash = hash(prev, seq, at, actorName, action, target, actor.sourceAddress(), sorted);
        store.append(tx, new AuditEvent(seq, at, actorName, action, target, actor.sourceAddress(), sorted, prev, hash));
    }

    static String hash(
            String prev,
            long seq,
            long at,
            String actor,
            String action,
            String target,
            String source,
            Map<String, Object> detail) {
        return Hashes.sha256Hex(String.join(
                "\n",
                prev,
                Long.toString(seq),
                Long.toString(at),
                actor,
                action,
                target,
                String.valueOf(source),
                Json.write(detail)));
    }

    /** Events for a target, oldest first. */
    public List<AuditEvent> forTarget(String target) {
        return db.read(tx -> store.forTarget(tx, target));
    }

    public List<AuditEvent> all() {
        return db.read(store::all);
    }

    /** Recomputes the chain; returns the first broken sequence number, or -1 when the chain is intact. */
    public long verify() {
        String prev = GENESIS;
        for (AuditEvent e : all()) {
            String expected = hash(prev, e.seq(), e.at(), e.actor(), e.action(), e.target(), e.source(), e.detail());
            if (!e.prevHash().equals(prev) || !e.hash().equals(expected)) {
                return e.seq();
            }
            prev = e.hash();
        }
        return -1;
    }
}
