package dev.airlock.audit;

import dev.airlock.platform.db.Tx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Recomputes the whole log from its entries and checks it: every index present once, every entry's leaf hash and
 * columns, every stored subtree hash, and every checkpoint (the stored ones and those an operator kept elsewhere) for
 * its signature and its root. A tampering that left the stored hashes alone is found at its exact index; one that
 * recomputed every hash is found by the checkpoints taken before it, between the last checkpoint that still matches
 * and the first that does not. Holds 64 bytes per entry while it runs.
 */
public final class LogVerifier {
    /**
     * One problem: the first index it concerns, the last (equal for one entry), what is wrong, and how it was found:
     * {@code AT} in the entries or stored hashes themselves (the problem is in this range), {@code BOUNDED} by a
     * checkpoint or a stored subtree hash that differs (somewhere in this range), {@code KEY} a checkpoint this log's key did not sign.
     */
    public record Finding(long from, long to, String message, Kind kind) {
        Finding(long from, long to, String message) {
            this(from, to, message, Kind.AT);
        }

        @Override
        public String toString() {
            return (from == to ? "index " + from : "indexes " + from + ".." + to) + ": " + message;
        }
    }

    public enum Kind {
        AT,
        BOUNDED,
        KEY
    }

    /** The log's size and root as recomputed, and what is wrong (nothing: the log verifies). */
    public record Report(long size, byte[] root, int checkpoints, List<Finding> findings) {
        public boolean ok() {
            return findings.isEmpty();
        }

        /**
         * The lowest index found bad, or -1. A bounded finding counts from its lower bound only when no finding
         * inside its range pins the problem down more closely.
         */
        public long firstBadIndex() {
            return findings.stream()
                    .filter(f -> f.kind() != Kind.BOUNDED || findings.stream().noneMatch(o -> narrower(o, f)))
                    .mapToLong(Finding::from)
                    .min()
                    .orElse(-1);
        }

        /** Is {@code o} a finding inside {@code f}'s range that pins the problem down more closely? */
        private static boolean narrower(Finding o, Finding f) {
            return !o.equals(f)
                    && o.kind() != Kind.KEY
                    && o.from() >= f.from()
                    && o.to() <= f.to()
                    && (o.kind() == Kind.AT || o.to() - o.from() < f.to() - f.from());
        }
    }

    private static final HexFormat HEX = HexFormat.of();
    private final JdbiAuditStore store;
    private final Tx tx;
    private final NoteKey key;
    private final List<Finding> findings = new ArrayList<>();

    LogVerifier(JdbiAuditStore store, Tx tx, NoteKey key) {
        this.store = store;
        this.tx = tx;
        this.key = key;
    }

    Report verify(List<Checkpoint> external) {
        ByteArrayOutputStream leaves = new ByteArrayOutputStream();
        ByteArrayOutputStream storedLeaves = new ByteArrayOutputStream();
        long[] next = {0};
        store.forEachRow(tx, row -> {
            if (row.seq() != next[0]) {
                findings.add(new Finding(next[0], row.seq() - 1, "missing: the log has no entries at these indexes"));
                for (long i = next[0]; i < row.seq(); i++) { // keep later leaves at their positions
                    leaves.writeBytes(new byte[32]);
                    storedLeaves.writeBytes(new byte[32]);
                }
            }
            next[0] = row.seq() + 1;
            byte[] leaf = MerkleTree.leafHash(row.entry().getBytes(StandardCharsets.UTF_8));
            leaves.writeBytes(leaf);
            storedLeaves.writeBytes(row.leaf() == null ? new byte[32] : HEX.parseHex(row.leaf()));
            if (!HEX.formatHex(leaf).equals(row.leaf())) {
                findings.add(new Finding(
                        row.seq(), row.seq(), "the entry is not the one that was logged (its leaf hash differs)"));
            } else if (!columnsAgree(row)) {
                findings.add(new Finding(
                        row.seq(), row.seq(), "the row's columns were edited (they differ from its entry)"));
            }
        });
        long size = next[0];
        long head = store.size(tx);
        if (head != size) {
            findings.add(new Finding(
                    Math.min(head, size),
                    Math.max(head, size) - 1,
                    "the log's head says " + head + " entries, the log has " + size));
        }
        List<byte[]> levels = levels(leaves.toByteArray());
        checkStoredNodes(storedLeaves.toByteArray());
        return checkpoints(levels, size, store.checkpoints(tx), external);
    }

    /**
     * Checks an export of the log ({@code airlock audit export}: one entry per line from index 0, each line the
     * entry's exact bytes) against checkpoints signed by {@code key}.
     */
    public static Report verifyExport(List<String> entries, List<Checkpoint> checkpoints, NoteKey key) {
        ByteArrayOutputStream leaves = new ByteArrayOutputStream();
        for (String entry : entries) {
            leaves.writeBytes(MerkleTree.leafHash(entry.getBytes(StandardCharsets.UTF_8)));
        }
        return new LogVerifier(null, null, key)
                .checkpoints(levels(leaves.toByteArray()), entries.size(), List.of(), checkpoints);
    }

    /**
     * Every checkpoint must be signed by the key and match the recomputed tree at its size. Only the {@code kept}
     * ones (copies from outside the data directory) can vouch for a prefix: a mismatch is placed after the largest
     * kept checkpoint below it that still matches. Stored ones only accuse, since whoever rewrote the log could have
     * rewritten them.
     */
    private Report checkpoints(List<byte[]> levels, long size, List<Checkpoint> stored, List<Checkpoint> kept) {
        MerkleTree.Nodes nodes =
                (level, idx) -> Arrays.copyOfRange(levels.get(level), (int) idx * 32, (int) idx * 32 + 32);
        List<Long> vouched = new ArrayList<>();
        for (Checkpoint c : kept) {
            if (c.signedBy(key) && c.size() <= size && Arrays.equals(MerkleTree.hash(nodes, 0, c.size()), c.root())) {
                vouched.add(c.size());
            }
        }
        List<Checkpoint> all = new ArrayList<>(new java.util.LinkedHashSet<>(stored));
        kept.stream().filter(c -> !all.contains(c)).forEach(all::add);
        all.sort(Comparator.comparingLong(Checkpoint::size));
        for (Checkpoint c : all) {
            String name = "checkpoint " + c;
            long good = vouched.stream()
                    .filter(s -> s < c.size())
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            if (!c.signedBy(key)) {
                findings.add(new Finding(
                        good,
                        Math.max(good, c.size() - 1),
                        name + " is not signed by this log's key " + key.verifierText() + " (signed by " + c.signers()
                                + "): the log's key was replaced, or it is another log's checkpoint",
                        Kind.KEY));
            }
            if (c.size() > size) {
                findings.add(new Finding(
                        size,
                        c.size() - 1,
                        name + " covers " + c.size() + " entries; the log has " + size + ": its tail was removed"));
            } else if (!Arrays.equals(MerkleTree.hash(nodes, 0, c.size()), c.root())) {
                findings.add(new Finding(
                        good,
                        Math.max(good, c.size() - 1),
                        name + " does not match the log: an entry before index " + c.size()
                                + " was changed, removed, inserted or moved",
                        Kind.BOUNDED));
            }
        }
        return new Report(size, MerkleTree.hash(nodes, 0, size), all.size(), List.copyOf(findings));
    }

    /** The columns queries filter on must say what the entry says. */
    private static boolean columnsAgree(JdbiAuditStore.Row row) {
        AuditEvent e = LogEntries.event(row.seq(), row.entry());
        return e.at() == row.at()
                && Objects.equals(e.action(), row.action())
                && Objects.equals(e.outcome(), row.outcome())
                && Objects.equals(e.target(), row.target())
                && Objects.equals(e.user(), row.actor());
    }

    /** Every level of complete subtrees, recomputed: level 0 the leaves, each a run of 32-byte hashes. */
    private static List<byte[]> levels(byte[] leaves) {
        List<byte[]> levels = new ArrayList<>();
        levels.add(leaves);
        byte[] level = leaves;
        while (level.length >= 64) {
            byte[] up = new byte[level.length / 64 * 32];
            for (int i = 0; i < up.length / 32; i++) {
                byte[] h = MerkleTree.nodeHash(
                        Arrays.copyOfRange(level, i * 64, i * 64 + 32),
                        Arrays.copyOfRange(level, i * 64 + 32, i * 64 + 64));
                System.arraycopy(h, 0, up, i * 32, 32);
            }
            levels.add(up);
            level = up;
        }
        return levels;
    }

    /**
     * Each stored subtree hash (level ≥ 1) must be the hash of the two stored below it (level 0: the stored leaf
     * hashes), and none may be missing; so a change is found where it was made, not at every level above it.
     */
    private void checkStoredNodes(byte[] storedLeaves) {
        byte[] below = storedLeaves;
        for (int level = 1; below.length >= 64 || level == 1; level++) {
            int l = level;
            byte[] children = below;
            long complete = children.length / 64;
            byte[] here = new byte[(int) complete * 32];
            long[] seen = {0};
            long[] firstBad = {-1};
            store.forEachNode(tx, l, (Map.Entry<Long, String> node) -> {
                long idx = node.getKey();
                byte[] stored = HEX.parseHex(node.getValue());
                boolean bad = idx >= complete
                        || idx != seen[0]
                        || !Arrays.equals(
                                stored,
                                MerkleTree.nodeHash(
                                        Arrays.copyOfRange(children, (int) idx * 64, (int) idx * 64 + 32),
                                        Arrays.copyOfRange(children, (int) idx * 64 + 32, (int) idx * 64 + 64)));
                if (bad && firstBad[0] < 0) {
                    firstBad[0] = Math.min(idx, seen[0]);
                }
                if (idx < complete) {
                    System.arraycopy(stored, 0, here, (int) idx * 32, 32);
                }
                seen[0] = idx + 1;
            });
            if (firstBad[0] < 0 && seen[0] < complete) {
                firstBad[0] = seen[0];
            }
            if (firstBad[0] >= 0) {
                long from = firstBad[0] << l;
                findings.add(new Finding(
                        from,
                        from + (1L << l) - 1,
                        "a stored subtree hash (level " + l + ") does not match these entries",
                        Kind.BOUNDED));
            }
            below = here;
        }
    }
}
