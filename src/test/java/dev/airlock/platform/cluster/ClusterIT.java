package dev.airlock.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two registries in one JVM on ONE PostgreSQL database and one blob directory, as two nodes behind a load balancer:
 * they share their keys, export each audit entry once, and hear each other's invalidations. Runs in the postgres
 * execution only (SQLite is one node by construction).
 */
class ClusterIT {
    private String url;
    private Path blobs;
    private TestRegistry a;
    private TestRegistry b;
    private final MutableClock clock = new MutableClock();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(TestDatabase.postgres(), "several nodes need PostgreSQL");
        url = TestDatabase.fresh();
        blobs = Files.createTempDirectory("airlock-cluster-blobs");
        a = node("a");
        b = node("b");
    }

    private TestRegistry node(String id) {
        Map<String, String> s = new HashMap<>();
        s.put("database.url", url);
        s.put("blobs.dir", blobs.toString());
        s.put("cluster.nodeId", id);
        s.put("audit.sinks.1.name", "archive");
        s.put("audit.sinks.1.type", "file");
        s.put("audit.sinks.1.path", "export/audit.jsonl");
        return TestRegistry.start(s, clock); // one time for both nodes, as NTP gives them
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (url != null) {
            TestDatabase.drop(Path.of("/nonexistent/" + url.replaceAll(".*/([^/?]+).*", "$1")));
        }
        if (blobs != null) {
            Files2.deleteTree(blobs);
        }
    }

    @Test
    void bothNodesUseTheKeysTheFirstOneStored() throws Exception {
        for (String key : List.of("secret.key", "audit-log.key", "signing.key")) {
            assertThat(Files.readString(b.dataDir.resolve(key)))
                    .as(key)
                    .isEqualTo(Files.readString(a.dataDir.resolve(key)));
        }
        assertThat(b.airlock.audit.key().verifierText())
                .isEqualTo(a.airlock.audit.key().verifierText());
        assertThat(b.airlock.signer.currentKeyid()).isEqualTo(a.airlock.signer.currentKeyid());

        // a TOTP secret enrolled through one node is read (decrypted) by the other
        String token = a.userWithToken("alice");
        var app = a.enableTwoFactor("alice", token, "auth-and-writes");
        var r = b.http.send(
                "POST",
                "-/npm/v1/user",
                token,
                "{\"tfa\":{\"password\":\"alice-password\",\"mode\":\"disable\"}}",
                "npm-otp",
                app.next());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aRotatedSigningKeyBecomesEveryNodesKey() throws Exception {
        String before = b.airlock.signer.currentKeyid();
        var rotated = a.airlock.signer.rotate(Actor.operator());
        assertThat(rotated.keyid()).isNotEqualTo(before);
        await("b signs with the new key", () -> b.airlock.signer.currentKeyid().equals(rotated.keyid()));
        assertThat(Files.readString(b.dataDir.resolve("signing.key")))
                .isEqualTo(Files.readString(a.dataDir.resolve("signing.key")));
    }

    @Test
    void eachAuditEntryIsExportedOnceAcrossTheNodes() throws Exception {
        for (int i = 0; i < 20; i++) {
            (i % 2 == 0 ? a : b).addUser("u" + i, "password-" + i);
        }
        long size = a.airlock.audit.integrate();
        Path fa = a.dataDir.resolve("export/audit.jsonl");
        Path fb = b.dataDir.resolve("export/audit.jsonl");
        await("the entries are exported", () -> sequences(fa, fb).containsKey(size - 1));
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // a second deliverer would have caught up by now
        Map<Long, Integer> seen = sequences(fa, fb);
        for (long s = 0; s < size; s++) {
            assertThat(seen.get(s)).as("entry " + s).isEqualTo(1);
        }
        assertThat(Files.exists(fa) && Files.exists(fb))
                .as("one node holds the sink's lease")
                .isFalse();
    }

    @Test
    void aNotificationReachesTheOtherNodeAndJobsHaveOneHolder() {
        AtomicInteger heard = new AtomicInteger();
        b.airlock.invalidations.subscribe("test.topic", heard::incrementAndGet);
        a.airlock.invalidations.publish("test.topic");
        await("b heard a's notification", () -> heard.get() == 1);

        await("the audit integration job has run", () -> a.airlock.leases.holderOf("job:audit-integrate") != null);
        String holder = a.airlock.leases.holderOf("job:audit-integrate");
        assertThat(holder).isIn(a.airlock.node.holder(), b.airlock.node.holder());
        assertThat(a.airlock.node.id()).isEqualTo("a");
        assertThat(a.airlock.node.holder()).startsWith("a#").isNotEqualTo(b.airlock.node.holder());
    }

    private static Map<Long, Integer> sequences(Path... files) {
        Map<Long, Integer> out = new TreeMap<>();
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode j = Json.parse(line.getBytes(StandardCharsets.UTF_8));
                    long seq = j.path("event").path("sequence").asLong(-1);
                    if (seq >= 0) {
                        out.merge(seq, 1, Integer::sum);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
