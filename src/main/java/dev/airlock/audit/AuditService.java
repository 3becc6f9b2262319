package dev.airlock.audit;

import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.KeyChallenge;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The audit log (docs/audit.md): an append-only Merkle tree of events with signed checkpoints. {@link #record} runs
 * inside the caller's transaction and inserts one row, so an event exists exactly when the change it describes was
 * committed; the {@link LogSequencer} places it in the tree moments later ({@link #integrate}), and
 * {@link #checkpoint} signs the tree's size and root with the log's Ed25519 key.
 */
public final class AuditService {
    private final Database db;
    private final JdbiAuditStore store = new JdbiAuditStore();
    private final LogSequencer sequencer;
    private final Clock clock;
    private final NoteKey key;
    private final List<Consumer<Recorded>> listeners = new CopyOnWriteArrayList<>();

    /**
     * An event as it was recorded, for listeners ({@link #onRecorded}): the action, its outcome, target and detail (read
     * only), the acting user and credential kind, and the time. Never a secret: the same facts the entry holds.
     */
    public record Recorded(
            long at,
            String action,
            String outcome,
            String target,
            Map<String, ?> detail,
            String user,
            String credential) {}

    AuditService(Database db, Clock clock, NoteKey key) {
        this.db = db;
        this.clock = clock;
        this.key = key;
        this.sequencer = new LogSequencer(db, store);
        convertLegacyChain();
    }

    /**
     * The log of {@code db}, signing with the key in {@code keyFile} (created 0600 on first use, named
     * {@code origin}; an existing key keeps its own name).
     */
    public static AuditService create(Database db, Clock clock, Path keyFile, String origin) {
        return new AuditService(db, clock, NoteKey.loadOrCreate(keyFile, origin));
    }

    public void record(Tx tx, Actor actor, String action, String target, Map<String, ?> detail) {
        record(tx, actor, action, "success", target, detail);
    }

    /** An event with its outcome: {@code success}, or {@code failure} for a refused attempt. */
    public void record(Tx tx, Actor actor, String action, String outcome, String target, Map<String, ?> detail) {
        long at = clock.millis();
        String id = LogEntries.newId(at);
        String entry = LogEntries.build(id, at, actor, action, outcome, target, detail);
        store.insert(tx, id, at, action, outcome, actor.user(), target, entry);
        if (!listeners.isEmpty()) {
            Recorded r = new Recorded(
                    at,
                    action,
                    outcome,
                    target,
                    java.util.Collections.unmodifiableMap(detail),
                    actor.user(),
                    actor.credential());
            tx.afterCommit(() -> listeners.forEach(l -> l.accept(r)));
        }
    }

    /**
     * Calls {@code listener} with every event recorded from now on, once the transaction that recorded it has
     * committed (an event whose change rolled back is never seen), on the recording thread: it must be quick and
     * must not write to the database. Metrics count events this way (docs/metrics.md).
     */
    public void onRecorded(Consumer<Recorded> listener) {
        listeners.add(listener);
    }

    /**
     * A refused attempt: {@code action} with outcome failure and the refusal as {@code reason}, in a transaction of
     * its own (the attempt's rolled back). Only refusals are recorded (401, 403, 409); malformed requests are not, nor
     * a challenge for a second factor or throttling: the two-factor feature records wrong, replayed and throttled
     * codes itself, and a missing code is npm's normal first request. Returns {@code e} for the caller to throw.
     */
    public AirlockException refused(
            Actor actor, String action, String target, AirlockException e, Map<String, ?> detail) {
        boolean refusal = e.code() == ErrorCode.UNAUTHORIZED
                || e.code() == ErrorCode.LOGIN_FAILED
                || e.code() == ErrorCode.IP_NOT_ALLOWED
                || e.code() == ErrorCode.FORBIDDEN
                || e.code() == ErrorCode.CONFLICT;
        if (!refusal || e instanceof KeyChallenge) {
            return e;
        }
        Map<String, Object> d = new TreeMap<>(detail);
        d.put("reason", e.getMessage());
        db.write(tx -> {
            record(tx, actor, action, "failure", target, d);
            return null;
        });
        return e;
    }

    /** Places pending entries in the tree; returns the log's size. */
    public long integrate() {
        return sequencer.integrate();
    }

    /**
     * Signs a checkpoint of the current tree when it grew since the last one (or there is none); returns the latest.
     */
    public Checkpoint checkpoint() {
        long size = integrate();
        return db.write(tx -> {
            Checkpoint last = store.latestCheckpoint(tx);
            if (last != null && last.size() >= size) {
                return last;
            }
            byte[] root = MerkleTree.hash(LogSequencer.nodes(store, tx), 0, size);
            Checkpoint c = Checkpoint.sign(key, size, root);
            store.insertCheckpoint(tx, c, clock.millis());
            return c;
        });
    }

    /** The newest signed checkpoint, or null before the first. */
    public Checkpoint latestCheckpoint() {
        return db.read(store::latestCheckpoint);
    }

    /** The verifier key of this log ({@code name+id+key}), for whoever checks its checkpoints. */
    public NoteKey key() {
        return key;
    }

    /** Proof that entry {@code index} is in the tree of {@code size} (≤ the log's size). */
    public List<byte[]> inclusionProof(long index, long size) {
        requireSize(size);
        return db.read(tx -> MerkleTree.inclusionProof(LogSequencer.nodes(store, tx), index, size));
    }

    /** Proof that the tree of {@code from} entries is a prefix of the tree of {@code to}. */
    public List<byte[]> consistencyProof(long from, long to) {
        requireSize(to);
        return db.read(tx -> MerkleTree.consistencyProof(LogSequencer.nodes(store, tx), from, to));
    }

    /** The root hash of the tree of the first {@code size} entries. */
    public byte[] root(long size) {
        requireSize(size);
        return db.read(tx -> MerkleTree.hash(LogSequencer.nodes(store, tx), 0, size));
    }

    /** The entry at {@code index}, or null. */
    public AuditEvent entry(long index) {
        return db.read(tx -> store.entry(tx, index));
    }

    private void requireSize(long size) {
        long now = db.read(store::size);
        if (size < 0 || size > now) {
            throw new IllegalArgumentException("the log has " + now + " entries; there is no tree of size " + size);
        }
    }

    /** Events for a target, oldest first. */
    public List<AuditEvent> forTarget(String target) {
        integrate();
        return db.read(tx -> store.forTarget(tx, target));
    }

    /** Every event, oldest first. */
    public List<AuditEvent> all() {
        integrate();
        return db.read(store::all);
    }

    /** Checks the whole log against its stored checkpoints and {@code external} ones; see {@link LogVerifier}. */
    public LogVerifier.Report verify(List<Checkpoint> external, NoteKey trusted) {
        integrate();
        return db.read(tx -> new LogVerifier(store, tx, trusted == null ? key : trusted).verify(external));
    }

    /** Rows of the hash chain earlier versions kept become the log's first entries, in their order, once. */
    private void convertLegacyChain() {
        if (!db.read(store::anyLegacyEvents)) {
            return; // the usual case: no write transaction at every start of the server or a command
        }
        db.write(tx -> {
            List<Map<String, Object>> old = store.legacyEvents(tx);
            for (Map<String, Object> row : old) {
                long seq = ((Number) row.get("seq")).longValue();
                long at = ((Number) row.get("at")).longValue();
                Map<String, Object> e = new TreeMap<>();
                e.put("v", 1);
                e.put("id", String.format("000000000000-legacy-%012d", seq));
                e.put("at", at);
                e.put("action", row.get("action"));
                e.put("outcome", "success");
                e.put("actor", Map.of("display", row.get("actor")));
                if (row.get("source") != null) {
                    e.put("source", Map.of("ip", row.get("source")));
                }
                e.put("target", row.get("target"));
                String detail = (String) row.get("detail_json");
                e.put("detail", detail == null ? Map.of() : new TreeMap<>(LogEntries.read(detail)));
                Map<String, Object> legacy = new LinkedHashMap<>();
                legacy.put("seq", seq);
                legacy.put("hash", row.get("hash"));
                e.put("legacy", legacy);
                String entry = LogEntries.write(e);
                store.insert(
                        tx,
                        (String) e.get("id"),
                        at,
                        (String) row.get("action"),
                        "success",
                        null,
                        (String) row.get("target"),
                        entry);
            }
            store.dropLegacyEvents(tx);
            return null;
        });
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
