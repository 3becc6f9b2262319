package dev.airlock.audit;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The audit tables (V16): entries, stored subtree hashes, the head and the signed checkpoints. */
final class JdbiAuditStore {
    /** A pending entry (no index yet). */
    record Pending(String id, String entry) {}

    /** A sequenced row as stored: its index, columns, entry text and leaf hash. */
    record Row(
            long seq, long at, String action, String outcome, String actor, String target, String entry, String leaf) {}

    void insert(Tx tx, String id, long at, String action, String outcome, String user, String target, String entry) {
        tx.handle()
                .createUpdate("INSERT INTO audit_log (id, at, action, outcome, actor, target, entry)"
                        + " VALUES (:id, :at, :action, :outcome, :actor, :target, :entry)")
                .bind("id", id)
                .bind("at", at)
                .bind("action", action)
                .bind("outcome", outcome)
                .bind("actor", user)
                .bind("target", target)
                .bind("entry", entry)
                .execute();
    }

    List<AuditEvent> forTarget(Tx tx, String target) {
        return tx.handle()
                .createQuery("SELECT seq, entry FROM audit_log WHERE target = :t ORDER BY seq")
                .bind("t", target)
                .map((rs, c) -> LogEntries.event(rs.getLong("seq"), rs.getString("entry")))
                .list();
    }

    AuditEvent entry(Tx tx, long index) {
        return tx.handle()
                .createQuery("SELECT entry FROM audit_log WHERE seq = :i")
                .bind("i", index)
                .mapTo(String.class)
                .findOne()
                .map(e -> LogEntries.event(index, e))
                .orElse(null);
    }

    List<AuditEvent> all(Tx tx) {
        return tx.handle()
                .createQuery("SELECT seq, entry FROM audit_log WHERE seq IS NOT NULL ORDER BY seq")
                .map((rs, c) -> LogEntries.event(rs.getLong("seq"), rs.getString("entry")))
                .list();
    }

    /** Takes the sequencer's lock (a write to the head row) and returns the number of sequenced entries. */
    long lockHead(Tx tx) {
        tx.handle()
                .createUpdate("UPDATE audit_head SET size = size WHERE id = 1")
                .execute();
        return size(tx);
    }

    long size(Tx tx) {
        return tx.handle()
                .createQuery("SELECT size FROM audit_head WHERE id = 1")
                .mapTo(Long.class)
                .one();
    }

    void setSize(Tx tx, long size) {
        tx.handle()
                .createUpdate("UPDATE audit_head SET size = :s WHERE id = 1")
                .bind("s", size)
                .execute();
    }

    boolean anyPending(Tx tx) {
        return tx.handle()
                .createQuery("SELECT 1 FROM audit_log WHERE seq IS NULL LIMIT 1")
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    List<Pending> pending(Tx tx, int limit) {
        return tx.handle()
                .createQuery("SELECT id, entry FROM audit_log WHERE seq IS NULL ORDER BY at, id LIMIT :n")
                .bind("n", limit)
                .map((rs, c) -> new Pending(rs.getString("id"), rs.getString("entry")))
                .list();
    }

    void assign(Tx tx, List<Pending> rows, long firstSeq, List<String> leaves) {
        PreparedBatch batch = tx.handle()
                .prepareBatch("UPDATE audit_log SET seq = :seq, leaf_hash = :leaf WHERE id = :id AND seq IS NULL");
        for (int i = 0; i < rows.size(); i++) {
            batch.bind("seq", firstSeq + i)
                    .bind("leaf", leaves.get(i))
                    .bind("id", rows.get(i).id())
                    .add();
        }
        batch.execute();
    }

    /** A stored subtree hash. */
    record Node(int level, long idx, String hash) {}

    void putNodes(Tx tx, List<Node> nodes) {
        if (nodes.isEmpty()) {
            return;
        }
        PreparedBatch batch =
                tx.handle().prepareBatch("INSERT INTO audit_tree (level, idx, hash) VALUES (:level, :idx, :hash)");
        for (Node n : nodes) {
            batch.bind("level", n.level())
                    .bind("idx", n.idx())
                    .bind("hash", n.hash())
                    .add();
        }
        batch.execute();
    }

    /** The stored hash of a complete subtree (level 0: a leaf), or null. */
    String node(Tx tx, int level, long idx) {
        if (level == 0) {
            return tx.handle()
                    .createQuery("SELECT leaf_hash FROM audit_log WHERE seq = :i")
                    .bind("i", idx)
                    .mapTo(String.class)
                    .findOne()
                    .orElse(null);
        }
        return tx.handle()
                .createQuery("SELECT hash FROM audit_tree WHERE level = :l AND idx = :i")
                .bind("l", level)
                .bind("i", idx)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    /** Every sequenced row in index order (streamed). */
    void forEachRow(Tx tx, Consumer<Row> each) {
        try (var rows = tx
                .handle()
                .createQuery("SELECT seq, at, action, outcome, actor, target, entry, leaf_hash FROM audit_log"
                        + " WHERE seq IS NOT NULL ORDER BY seq")
                .map((rs, c) -> new Row(
                        rs.getLong("seq"),
                        rs.getLong("at"),
                        rs.getString("action"),
                        rs.getString("outcome"),
                        rs.getString("actor"),
                        rs.getString("target"),
                        rs.getString("entry"),
                        rs.getString("leaf_hash")))
                .stream()) {
            rows.forEach(each);
        }
    }

    /** The stored nodes of one level in index order (streamed): idx and hash. */
    void forEachNode(Tx tx, int level, Consumer<Map.Entry<Long, String>> each) {
        try (var rows = tx
                .handle()
                .createQuery("SELECT idx, hash FROM audit_tree WHERE level = :l ORDER BY idx")
                .bind("l", level)
                .map((rs, c) -> Map.entry(rs.getLong("idx"), rs.getString("hash")))
                .stream()) {
            rows.forEach(each);
        }
    }

    Checkpoint latestCheckpoint(Tx tx) {
        return tx.handle()
                .createQuery("SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
                .mapTo(String.class)
                .findOne()
                .map(Checkpoint::parse)
                .orElse(null);
    }

    List<Checkpoint> checkpoints(Tx tx) {
        return tx.handle()
                .createQuery("SELECT note FROM audit_checkpoints ORDER BY size")
                .mapTo(String.class)
                .map(Checkpoint::parse)
                .list();
    }

    void insertCheckpoint(Tx tx, Checkpoint c, long at) {
        tx.handle()
                .createUpdate("INSERT INTO audit_checkpoints (size, root, note, at) VALUES (:s, :r, :n, :at)")
                .bind("s", c.size())
                .bind("r", c.rootHex())
                .bind("n", c.text())
                .bind("at", at)
                .execute();
    }

    boolean anyLegacyEvents(Tx tx) {
        return tx.handle()
                .createQuery("SELECT 1 FROM audit_events LIMIT 1")
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    /** Rows of the former hash chain (V1's audit_events), oldest first. */
    List<Map<String, Object>> legacyEvents(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM audit_events ORDER BY seq")
                .mapToMap()
                .list();
    }

    void dropLegacyEvents(Tx tx) {
        tx.handle().createUpdate("DELETE FROM audit_events").execute();
    }
}
