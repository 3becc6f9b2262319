package dev.airlock.audit.export;

import static dev.airlock.audit.export.ExportChecks.assertComplete;
import static dev.airlock.audit.export.ExportChecks.await;
import static dev.airlock.audit.export.ExportChecks.parse;
import static dev.airlock.audit.export.ExportChecks.produce;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.shared.Actor;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rotating JSON Lines file sink, and the HTTP stream (resume with after=, follow new entries; admins only). */
class FileAndStreamExportIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theFileSinkRotatesBySizeAndKeepsTheNewestFiles() throws Exception {
        try (TestRegistry registry = TestRegistry.start(Map.of(
                "audit.sinks.1.name", "archive",
                "audit.sinks.1.type", "file",
                "audit.sinks.1.path", "export/audit.jsonl",
                "audit.sinks.1.maxBytes", "4096",
                "audit.sinks.1.keep", "2"))) {
            long size = produce(registry, "f", 24);
            Path current = registry.dataDir.resolve("export/audit.jsonl");
            Path one = registry.dataDir.resolve("export/audit.jsonl.1");
            Path two = registry.dataDir.resolve("export/audit.jsonl.2");
            await("the file sink wrote every entry", WAIT, () -> ExportChecks.has(lines(current), size));
            assertThat(two).exists();
            assertThat(registry.dataDir.resolve("export/audit.jsonl.3")).doesNotExist();
            for (Path p : List.of(current, one, two)) {
                assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
            }
            List<String> kept = new ArrayList<>(lines(two));
            kept.addAll(lines(one));
            kept.addAll(lines(current));
            List<Long> seqs = parse(kept).stream()
                    .map(j -> j.path("event").path("sequence").asLong())
                    .toList();
            assertThat(seqs.get(0)).as("the oldest files were dropped").isGreaterThan(0);
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i))
                        .as("consecutive across the rotated files")
                        .isEqualTo(seqs.get(0) + i);
            }
            assertThat(seqs.get(seqs.size() - 1)).isEqualTo(size - 1);
            JsonNode last = parse(lines(current)).get(parse(lines(current)).size() - 1);
            assertThat(last.path("event").path("category").get(0).asText()).isEqualTo("iam");
            assertThat(last.path("user").path("name").asText()).isEqualTo("@cli");
            assertThat(last.path("airlock").path("target").asText()).isEqualTo("user:f23");
        }
    }

    @Test
    void theStreamIsForAdminsResumesAfterACursorAndFollowsNewEntries() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            registry.airlock.users.add(Actor.operator(), "root", "root@example.com", "root-password", true);
            String admin = registry.login("root", "root-password");
            String user = registry.userWithToken("mallory");
            assertThat(registry.http.get("-/airlock/v1/audit/stream", user).status())
                    .isEqualTo(404);
            assertThat(registry.http.get("-/airlock/v1/audit/stream", null).status())
                    .isEqualTo(404);
            assertThat(registry.http
                            .get("-/airlock/v1/audit/stream?after=x", admin)
                            .status())
                    .isEqualTo(400);

            produce(registry, "s", 4);
            long size = registry.airlock.audit.checkpoint().size();
            var all = registry.http.get("-/airlock/v1/audit/stream", admin);
            assertThat(all.status()).isEqualTo(200);
            assertThat(all.header("Content-Type")).startsWith("application/x-ndjson");
            List<String> lines = all.body().lines().toList();
            assertComplete(lines, size, registry.airlock.audit.key());
            assertThat(parse(lines)
                            .get(parse(lines).size() - 1)
                            .path("airlock")
                            .path("checkpoint")
                            .path("size")
                            .asLong())
                    .as("the checkpoint follows the entries it covers")
                    .isEqualTo(size);

            List<JsonNode> resumed = parse(registry.http
                    .get("-/airlock/v1/audit/stream?after=" + (size - 3), admin)
                    .body()
                    .lines()
                    .toList());
            assertThat(resumed.stream()
                            .filter(j -> j.path("event").has("sequence"))
                            .map(j -> j.path("event").path("sequence").asLong()))
                    .containsExactly(size - 2, size - 1);

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Stream<String>> follow = client.send(
                    HttpRequest.newBuilder(URI.create(
                                    registry.url() + "-/airlock/v1/audit/stream?follow=true&after=" + (size - 1)))
                            .header("Authorization", "Bearer " + admin)
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(follow.statusCode()).isEqualTo(200);
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try {
                    follow.body().forEach(received::add);
                } catch (java.io.UncheckedIOException closedByTheTest) {
                    // the test closes the stream when done
                }
            });
            reader.setDaemon(true);
            reader.start();
            registry.addUser("newcomer", "newcomer-password");
            String line;
            do {
                line = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).as("the follower receives the new entry").isNotNull();
            } while (line.isBlank());
            JsonNode event = parse(List.of(line)).get(0);
            assertThat(event.path("airlock").path("target").asText()).isEqualTo("user:newcomer");
            assertThat(event.path("event").path("sequence").asLong()).isGreaterThanOrEqualTo(size);
            follow.body().close();
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
