package dev.airlock.audit.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.NoteKey;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What every export test checks about a received stream of ECS JSON lines. */
final class ExportChecks {
    private ExportChecks() {}

    /** Waits (polling, with a deadline) until {@code condition} holds. */
    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Records {@code n} events (user.create) and returns the log's size once they are placed in it. */
    static long produce(TestRegistry registry, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            registry.addUser(prefix + i, "password-" + prefix + i);
        }
        return registry.airlock.audit.integrate();
    }

    /** The parsed non-blank lines. */
    static List<JsonNode> parse(List<String> lines) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.isBlank()) {
                out.add(Json.parse(l.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    static boolean has(List<String> lines, long size) {
        return parse(lines).stream()
                .anyMatch(j -> j.path("event").path("sequence").asLong(-1) == size - 1);
    }

    static boolean hasCheckpoint(List<String> lines, long size) {
        return parse(lines).stream()
                .anyMatch(j -> j.path("airlock").path("checkpoint").path("size").asLong(-1) == size);
    }

    /**
     * Every entry 0..size−1 arrived; a new entry only ever follows the newest one seen (in order, no gap); an entry seen
     * again is byte-for-byte the first copy (a re-sent duplicate, told apart by event.sequence); each entry's text hashes
     * to its leaf hash; each checkpoint follows the entries it covers and is signed by the log's key. Returns how many
     * lines were re-sent duplicates.
     */
    static int assertComplete(List<String> lines, long size, NoteKey key) throws Exception {
        long max = -1;
        Map<Long, String> first = new HashMap<>();
        int duplicates = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode j = Json.parse(line.getBytes(StandardCharsets.UTF_8));
            if (j.path("event").path("action").asText().equals("log.checkpoint")) {
                JsonNode cp = j.path("airlock").path("checkpoint");
                assertThat(cp.path("size").asLong())
                        .as("a checkpoint follows its entries")
                        .isLessThanOrEqualTo(max + 1);
                Checkpoint c = Checkpoint.parse(cp.path("note").asText());
                assertThat(c.signedBy(key)).isTrue();
                assertThat(c.size()).isEqualTo(cp.path("size").asLong());
                continue;
            }
            long seq = j.path("event").path("sequence").asLong();
            assertThat(seq)
                    .as("entries arrive in order, without a gap, after %s", max)
                    .isLessThanOrEqualTo(max + 1);
            if (seq <= max) {
                assertThat(line).as("a re-sent entry is the same").isEqualTo(first.get(seq));
                duplicates++;
                continue;
            }
            max = seq;
            first.put(seq, line);
            String entry = j.path("airlock").path("log").path("entry").asText();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((byte) 0);
            md.update(entry.getBytes(StandardCharsets.UTF_8));
            assertThat(HexFormat.of().formatHex(md.digest()))
                    .isEqualTo(j.path("airlock").path("log").path("leaf_hash").asText());
            assertThat(j.path("airlock").path("log").path("index").asLong()).isEqualTo(seq);
        }
        assertThat(max).as("every entry arrived").isEqualTo(size - 1);
        return duplicates;
    }
}
