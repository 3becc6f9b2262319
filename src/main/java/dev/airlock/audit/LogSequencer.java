package dev.airlock.audit;

import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Places pending entries in the log: gives each its index and leaf hash, in (time, id) order, and stores the hash of
 * every complete subtree an index closes (on average one row per entry), so a proof later reads O(log n) rows.
 * Writers only insert their entry; the sequencer alone updates {@code audit_head}, which serialises sequencers (one
 * node at a time on PostgreSQL, the single writer on SQLite) without making writers wait on each other.
 */
final class LogSequencer {
    private static final int BATCH = 2_000;
    private static final HexFormat HEX = HexFormat.of();
    private final Database db;
    private final JdbiAuditStore store;

    LogSequencer(Database db, JdbiAuditStore store) {
        this.db = db;
        this.store = store;
    }

    /** Sequences every pending entry; returns the log's size. */
    long integrate() {
        while (true) {
            long[] result = db.write(this::integrateBatch);
            if (result[1] < BATCH) {
                return result[0];
            }
        }
    }

    /** One batch in one transaction: returns {size after, entries placed}. */
    private long[] integrateBatch(Tx tx) {
        if (!store.anyPending(tx)) {
            return new long[] {store.size(tx), 0};
        }
        long size = store.lockHead(tx);
        List<JdbiAuditStore.Pending> pending = store.pending(tx, BATCH);
        if (pending.isEmpty()) {
            return new long[] {size, 0};
        }
        Map<Long, String> fresh = new HashMap<>(); // (level << 56 | idx) -> hash, written in this batch
        List<String> leaves = new ArrayList<>(pending.size());
        List<JdbiAuditStore.Node> nodes = new ArrayList<>();
        long seq = size;
        for (JdbiAuditStore.Pending p : pending) {
            byte[] h = MerkleTree.leafHash(p.entry().getBytes(StandardCharsets.UTF_8));
            leaves.add(HEX.formatHex(h));
            fresh.put(seq, HEX.formatHex(h));
            int level = 0;
            long idx = seq;
            while ((idx & 1) == 1) {
                String left = fresh.get(((long) level << 56) | (idx - 1));
                if (left == null) {
                    left = store.node(tx, level, idx - 1);
                }
                if (left == null) {
                    throw new IllegalStateException("audit log: subtree (" + level + ", " + (idx - 1) + ") is missing");
                }
                h = MerkleTree.nodeHash(HEX.parseHex(left), h);
                level++;
                idx >>= 1;
                String hex = HEX.formatHex(h);
                fresh.put(((long) level << 56) | idx, hex);
                nodes.add(new JdbiAuditStore.Node(level, idx, hex));
            }
            seq++;
        }
        store.assign(tx, pending, size, leaves);
        store.putNodes(tx, nodes);
        store.setSize(tx, seq);
        return new long[] {seq, pending.size()};
    }

    /** Stored subtree hashes, read in {@code tx}. */
    static MerkleTree.Nodes nodes(JdbiAuditStore store, Tx tx) {
        return (level, idx) -> {
            String h = store.node(tx, level, idx);
            if (h == null) {
                throw new IllegalStateException("audit log: subtree (" + level + ", " + idx + ") is missing");
            }
            return HEX.parseHex(h);
        };
    }
}
