package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log on a real SQLite file: entries become Merkle leaves, checkpoints are signed, and every kind of
 * tampering — by hand in SQL, or thoroughly with every hash recomputed and the log re-signed — is found by
 * {@code verify} against a checkpoint kept from before it, which names the first bad index (or the range it lies in).
 */
class AuditLogTest {
    @TempDir
    Path dir;

    private Database db;
    private AuditService audit;
    private final Actor alice = new Actor("alice", "session", null, "192.0.2.1");

    private AuditService open() {
        return AuditService.create(db, Clock.systemUTC(), dir.resolve("audit-log.key"), "registry.test/audit");
    }

    private void start(int events) {
        db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("a.db"), "", "", 2));
        audit = open();
        record(0, events);
    }

    private void record(int from, int to) {
        for (int i = from; i < to; i++) {
            int n = i;
            db.write(tx -> {
                audit.record(tx, alice, "package.publish", "package:x", Map.of("version", "1.0." + n));
                return null;
            });
        }
    }

    private void sql(String statement) {
        db.write(tx -> tx.handle().createUpdate(statement).execute());
    }

    private LogVerifier.Report verify(Checkpoint... kept) {
        return audit.verify(List.of(kept), null);
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void entriesAreLeavesAndCheckpointsAreSignedNotes() {
        start(5);
        List<AuditEvent> events = audit.forTarget("package:x");
        assertThat(events).extracting(AuditEvent::seq).containsExactly(0L, 1L, 2L, 3L, 4L);
        AuditEvent first = events.get(0);
        assertThat(first.actor()).isEqualTo("alice (session)");
        assertThat(first.source()).isEqualTo("192.0.2.1");
        assertThat(first.detail()).containsEntry("version", "1.0.0");
        assertThat(first.entry()).startsWith("{\"action\":\"package.publish\",\"actor\":{\"credential\":\"session\"");

        Checkpoint c = audit.checkpoint();
        assertThat(c.size()).isEqualTo(5);
        assertThat(c.text())
                .matches(
                        "registry\\.test/audit\n5\n[A-Za-z0-9+/]{43}=\n\n\u2014 registry\\.test/audit [A-Za-z0-9+/]{91}=\n");
        NoteKey verifier = NoteKey.parseVerifier(audit.key().verifierText());
        assertThat(Checkpoint.parse(c.text()).signedBy(verifier)).isTrue();
        assertThat(audit.checkpoint()).isEqualTo(c); // nothing new: no new checkpoint
        List<byte[]> proof = audit.inclusionProof(3, 5);
        byte[] leaf = MerkleTree.leafHash(events.get(3).entry().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(MerkleTree.verifyInclusion(leaf, 3, 5, proof, c.root())).isTrue();

        record(5, 9);
        Checkpoint later = audit.checkpoint();
        assertThat(MerkleTree.verifyConsistency(5, 9, c.root(), later.root(), audit.consistencyProof(5, 9)))
                .isTrue();
        assertThat(verify(c).ok()).as(verify(c).findings().toString()).isTrue();
        assertThat(dir.resolve("audit-log.key").toFile().canRead()).isTrue();
    }

    @Test
    void theKeyFileIsPrivateAndKeptAcrossRestarts() throws Exception {
        start(1);
        assertThat(Files.getPosixFilePermissions(dir.resolve("audit-log.key")))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String key = audit.key().verifierText();
        assertThat(open().key().verifierText()).isEqualTo(key);
        assertThat(Files.readString(dir.resolve("audit-log.key"))).startsWith("PRIVATE+KEY+registry.test/audit+");
    }

    @Test
    void anEventIsWrittenOnlyWhenItsTransactionCommits() {
        start(0);
        try {
            db.write(tx -> {
                audit.record(tx, Actor.operator(), "user.create", "user:x", Map.of());
                throw new IllegalStateException("rolled back");
            });
        } catch (IllegalStateException expected) {
            // the change failed, so its event must not exist
        }
        assertThat(audit.all()).isEmpty();
    }

    @Test
    void concurrentWritersAndSequencersMakeOneConsistentLog() throws Exception {
        start(0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int w = t;
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        int n = i;
                        db.write(tx -> {
                            audit.record(tx, alice, "token.create", "user:w" + w, Map.of("n", n));
                            return null;
                        });
                    }
                }));
            }
            jobs.add(pool.submit(() -> {
                for (int i = 0; i < 30; i++) {
                    audit.integrate();
                }
            }));
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(audit.integrate()).isEqualTo(150);
        assertThat(verify(audit.checkpoint()).ok()).isTrue();
    }

    @Test
    void theFormerHashChainBecomesTheFirstEntries() {
        db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("a.db"), "", "", 2));
        sql("INSERT INTO audit_events (seq, at, actor, action, target, source, detail_json, prev_hash, hash)"
                + " VALUES (1, 1000, 'bob (password)', 'user.create', 'user:bob', '10.0.0.1', '{\"b\":1,\"a\":2}',"
                + " '00', 'aa'), (2, 2000, '@cli (cli)', 'org.create', 'org:acme', 'local', '{}', 'aa', 'bb')");
        audit = open();
        record(0, 1);
        List<AuditEvent> all = audit.all();
        assertThat(all).extracting(AuditEvent::action).containsExactly("user.create", "org.create", "package.publish");
        assertThat(all.get(0).actor()).isEqualTo("bob (password)");
        assertThat(all.get(0).entry())
                .contains("\"detail\":{\"a\":2,\"b\":1}")
                .contains("\"legacy\":{\"hash\":\"aa\",\"seq\":1}");
        assertThat(open().all()).hasSize(3); // converted once
        assertThat(verify(audit.checkpoint()).ok()).isTrue();
    }

    // --- tampering by hand: the stored hashes give the exact index

    @Test
    void anEditedEntryIsFoundAtItsIndex() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("UPDATE audit_log SET entry = replace(entry, '1.0.7', '6.6.6') WHERE seq = 7");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).as(r.findings().toString()).isEqualTo(7);
    }

    @Test
    void anEditedQueryColumnIsFound() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4");
        assertThat(verify(kept).firstBadIndex()).isEqualTo(4);
    }

    @Test
    void aDeletedEntryIsFoundAtItsIndex() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("DELETE FROM audit_log WHERE seq = 5");
        assertThat(verify(kept).firstBadIndex())
                .as(verify(kept).findings().toString())
                .isEqualTo(5);
    }

    @Test
    void anInsertedEntryIsFoundWhereItWasInserted() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 10");
        sql("UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000");
        AuditEvent model = audit.entry(3);
        String forged = model.entry().replace(model.id(), "forged").replace("1.0.3", "9.9.9");
        String leaf = AuditService.hex(MerkleTree.leafHash(forged.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        sql(
                "INSERT INTO audit_log (id, seq, at, action, outcome, actor, target, entry, leaf_hash) VALUES ('forged', 10, "
                        + model.at() + ", 'package.publish', 'success', 'alice', 'package:x', '" + forged + "', '"
                        + leaf
                        + "')");
        sql("UPDATE audit_head SET size = 21");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(10);
    }

    @Test
    void aReorderedEntryIsFound() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        // move entry 3 behind entry 5 (3,4,5 -> 4,5,3), leaf hashes travelling with their rows
        sql("UPDATE audit_log SET seq = 1005 WHERE seq = 3");
        sql("UPDATE audit_log SET seq = seq - 1 WHERE seq IN (4, 5)");
        sql("UPDATE audit_log SET seq = 5 WHERE seq = 1005");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(2); // the pair (2,3) is the first subtree that no longer matches
    }

    @Test
    void twoSwappedEntriesAreFound() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("UPDATE audit_log SET seq = 1000 WHERE seq = 9");
        sql("UPDATE audit_log SET seq = 9 WHERE seq = 14");
        sql("UPDATE audit_log SET seq = 14 WHERE seq = 1000");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(8);
    }

    @Test
    void aTruncatedTailIsFound() {
        start(20);
        Checkpoint kept = audit.checkpoint();
        sql("DELETE FROM audit_log WHERE seq >= 15");
        sql("DELETE FROM audit_tree WHERE (idx + 1) * (1 << level) > 15");
        sql("DELETE FROM audit_checkpoints");
        sql("UPDATE audit_head SET size = 15");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(15);
        assertThat(r.findings().toString()).contains("its tail was removed");
    }

    // --- tampering with every hash recomputed: only the checkpoints kept elsewhere catch it

    /** Rewrites history the way an attacker with the database would: every hash recomputed, checkpoints re-signed. */
    private void rewriteEverything(String statement) {
        sql(statement);
        sql("UPDATE audit_log SET seq = NULL, leaf_hash = NULL");
        sql("DELETE FROM audit_tree");
        sql("DELETE FROM audit_checkpoints");
        sql("UPDATE audit_head SET size = 0");
        audit.checkpoint();
        assertThat(verify().ok())
                .as("the rewritten log is consistent with itself")
                .isTrue();
    }

    @Test
    void aRewrittenLogIsFoundBetweenTheLastGoodAndTheFirstBadCheckpoint() {
        start(10);
        Checkpoint early = audit.checkpoint();
        record(10, 20);
        Checkpoint kept = audit.checkpoint();
        rewriteEverything("UPDATE audit_log SET entry = replace(entry, '1.0.12', '6.6.6') WHERE entry LIKE '%1.0.12%'");
        LogVerifier.Report r = verify(early, kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(10); // the early checkpoint still matches: the change is after it
        assertThat(r.findings().toString()).contains("does not match the log");
    }

    @Test
    void aLogRewrittenAndReSignedWithAnotherKeyIsFound() throws Exception {
        start(20);
        Checkpoint kept = audit.checkpoint();
        String trustedKey = audit.key().verifierText();
        Files.delete(dir.resolve("audit-log.key"));
        audit = open(); // a new key
        rewriteEverything("DELETE FROM audit_log WHERE entry LIKE '%1.0.3\"%'");
        LogVerifier.Report r = verify(kept);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBadIndex()).isEqualTo(0);
        assertThat(r.findings().toString()).contains("is not signed by this log's key");
        // with the key published before, the new checkpoints themselves are refused too
        LogVerifier.Report withKey = audit.verify(List.of(), NoteKey.parseVerifier(trustedKey));
        assertThat(withKey.ok()).isFalse();
        assertThat(withKey.findings().toString()).contains("is not signed by this log's key");
    }

    @Test
    void anExportVerifiesAgainstCheckpointsAndATamperedOneDoesNot() {
        start(12);
        Checkpoint kept = audit.checkpoint();
        NoteKey key = NoteKey.parseVerifier(audit.key().verifierText());
        List<String> lines = audit.all().stream().map(AuditEvent::entry).toList();
        assertThat(LogVerifier.verifyExport(lines, List.of(kept), key).ok()).isTrue();
        List<String> edited = new ArrayList<>(lines);
        edited.set(6, edited.get(6).replace("1.0.6", "1.0.66"));
        assertThat(LogVerifier.verifyExport(edited, List.of(kept), key).ok()).isFalse();
        assertThat(LogVerifier.verifyExport(lines.subList(0, 11), List.of(kept), key)
                        .firstBadIndex())
                .isEqualTo(11);
    }
}
