package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditEvent;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.MerkleTree;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log as an outsider checks it: the checkpoint and proofs over HTTP, verified by an independent Node script
 * (scripts/verify-inclusion.mjs, standard library only — the worked example of docs/audit.md), and {@code airlock audit
 * verify} against a checkpoint kept from before an edit.
 */
class AuditLogIT {
    private static TestRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        for (int i = 0; i < 6; i++) {
            registry.addUser("user" + i, "correct horse battery " + i);
        }
        registry.airlock.audit.checkpoint();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private Cli.Result node(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "node", Path.of("scripts/verify-inclusion.mjs").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Cli.run(tmp, Cli.baseEnv(tmp), cmd, java.util.Map.<String, String>of(), 60);
    }

    @Test
    void anIndependentScriptVerifiesAnEntryAgainstTheSignedCheckpoint() throws Exception {
        String key = registry.http.get("/-/airlock/v1/log/key", null).body().strip();
        Checkpoint c = Checkpoint.parse(
                registry.http.get("/-/airlock/v1/log/checkpoint", null).body());
        assertThat(c.size()).isGreaterThanOrEqualTo(6);
        AuditEvent event = registry.airlock.audit.entry(3);
        Path entry = tmp.resolve("entry.json");
        Files.writeString(entry, event.entry() + "\n");

        Cli.Result ok = node(registry.url(), "3", entry.toString(), key);
        assertThat(ok.exit()).as(ok.all()).isZero();
        assertThat(ok.stdout()).contains("OK: entry 3 is in ").contains(c.origin());

        Files.writeString(entry, event.entry().replace("user", "mallory"));
        Cli.Result edited = node(registry.url(), "3", entry.toString(), key);
        assertThat(edited.exit()).isEqualTo(1);
        assertThat(edited.stderr()).contains("NOT VERIFIED: entry 3 is not in");

        Files.writeString(entry, event.entry());
        String otherKey = dev.airlock.audit.NoteKey.generate(c.origin()).verifierText();
        Cli.Result wrongKey = node(registry.url(), "3", entry.toString(), otherKey);
        assertThat(wrongKey.exit()).isEqualTo(1);
        assertThat(wrongKey.stderr()).contains("the checkpoint is not signed by");
    }

    @Test
    void proofsOverHttpVerifyAndBadQuestionsAreRefused() {
        Checkpoint c = Checkpoint.parse(
                registry.http.get("/-/airlock/v1/log/checkpoint", null).body());
        JsonNode inclusion = Json.parse(registry.http
                .get("/-/airlock/v1/log/proof/inclusion?index=1&size=" + c.size(), null)
                .body());
        byte[] leaf = MerkleTree.leafHash(
                registry.airlock.audit.entry(1).entry().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<byte[]> hashes = decode(inclusion.get("hashes"));
        assertThat(MerkleTree.verifyInclusion(leaf, 1, c.size(), hashes, c.root()))
                .isTrue();
        assertThat(inclusion.get("root").asText()).isEqualTo(Base64.getEncoder().encodeToString(c.root()));

        JsonNode consistency = Json.parse(registry.http
                .get("/-/airlock/v1/log/proof/consistency?from=2&to=" + c.size(), null)
                .body());
        byte[] oldRoot = registry.airlock.audit.root(2);
        assertThat(MerkleTree.verifyConsistency(2, c.size(), oldRoot, c.root(), decode(consistency.get("hashes"))))
                .isTrue();

        var tooBig = registry.http.get("/-/airlock/v1/log/proof/inclusion?index=0&size=" + (c.size() + 1000), null);
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body()).contains("\"error\"");
        assertThat(registry.http
                        .get("/-/airlock/v1/log/proof/inclusion?index=x", null)
                        .status())
                .isEqualTo(400);
        assertThat(registry.http
                        .get("/-/airlock/v1/log/proof/consistency?from=0&to=1", null)
                        .status())
                .isEqualTo(400);
    }

    @Test
    void theCommandVerifiesTheDataDirectoryAndNamesTheEditedIndex() throws Exception {
        Path dir = tmp.resolve("data");
        try (TestRegistry own = TestRegistry.startOn(dir, new dev.airlock.testing.MutableClock())) {
            own.addUser("alice", "correct horse battery staple");
            own.addUser("bob", "correct horse battery staple");
            Path kept = tmp.resolve("checkpoint.txt");
            Files.writeString(kept, own.airlock.audit.checkpoint().text());
            String key = own.airlock.audit.key().verifierText();
            assertThat(AirlockCommand.run(
                            "", "audit", "verify", "--data", dir.toString(), "--checkpoint", kept.toString()))
                    .startsWith("exit=0\n")
                    .contains("The audit log verifies");

            Path export = tmp.resolve("log.jsonl");
            String exported = AirlockCommand.run("", "audit", "export", "--data", dir.toString());
            Files.writeString(export, exported.substring(exported.indexOf('\n') + 1));
            assertThat(AirlockCommand.run(
                            "",
                            "audit",
                            "verify",
                            "--export",
                            export.toString(),
                            "--key",
                            key,
                            "--checkpoint",
                            kept.toString()))
                    .startsWith("exit=0\n");

            // the entry that added bob (after the signing key's creation and alice) is edited
            long bob = own.airlock.db.read(tx -> tx.handle()
                    .createQuery("SELECT seq FROM audit_log WHERE entry LIKE '%user.create%' AND entry LIKE '%bob%'")
                    .mapTo(Long.class)
                    .one());
            assertThat(bob).isPositive();
            own.airlock.db.write(tx -> tx.handle()
                    .createUpdate("UPDATE audit_log SET entry = replace(entry, 'bob', 'eve') WHERE seq = :s")
                    .bind("s", bob)
                    .execute());
            String out = AirlockCommand.run(
                    "", "audit", "verify", "--data", dir.toString(), "--checkpoint", kept.toString());
            assertThat(out)
                    .startsWith("exit=1\n")
                    .contains("index " + bob + ": the entry is not the one that was logged")
                    .contains("first bad index: " + bob);
        }
    }

    private static List<byte[]> decode(JsonNode array) {
        List<byte[]> out = new java.util.ArrayList<>();
        array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
        return out;
    }
}
