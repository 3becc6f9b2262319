package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry as the README starts it, {@code ./airlock serve}, with the launcher's own JVM settings (a small heap):
 * four publishes of tarballs at the size limit arrive at once and all succeed, byte for byte, and nothing they
 * spooled to disk is left behind.
 */
class LauncherIT {
    static final Pattern LISTENING = Pattern.compile("Airlock listening on (http://\\S+)");

    @TempDir
    Path tmp;

    @Test
    void concurrentPublishesAtTheSizeLimitFitTheDefaultHeap() throws Exception {
        Path data = tmp.resolve("data");
        assertThat(AirlockCommand.run(
                        "big-publisher-pw\n",
                        "user",
                        "add",
                        "bulk",
                        "--email",
                        "b@example.com",
                        "--password-stdin",
                        "--data",
                        data.toString()))
                .contains("exit=0");
        ProcessBuilder pb = new ProcessBuilder("./airlock", "serve", "--data", data.toString(), "--port", "0")
                .redirectErrorStream(true);
        pb.environment().remove("AIRLOCK_JAVA_OPTS"); // the launcher's defaults, as a user gets them
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().putAll(dev.airlock.testing.TestDatabase.envFor(data));
        Process server = pb.start();
        try {
            String url = awaitListening(server);
            Http http = new Http(url + "/");
            String token = http.put(
                            "-/user/org.couchdb.user:bulk",
                            null,
                            "{\"name\":\"bulk\",\"password\":\"big-publisher-pw\"}")
                    .json()
                    .path("token")
                    .asText();
            assertThat(token).isNotEmpty();

            // 32 MiB is limits.maxTarballBytes; random content does not compress, so each tarball is close to it
            int n = 4;
            List<byte[]> tarballs = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] noise = new byte[(32 << 20) - 64 * 1024];
                new Random(i).nextBytes(noise);
                var manifest = Tarballs.manifest("bulk-" + i, "1.0.0");
                byte[] tgz = Tarballs.tgz(
                        Tarballs.Entry.file("package/package.json", Json.write(manifest)),
                        new Tarballs.Entry("package/noise.bin", noise, TarConstants.LF_NORMAL, null));
                assertThat(tgz.length).isBetween((31 << 20), (32 << 20));
                tarballs.add(tgz);
                bodies.add(Json.MAPPER.writeValueAsBytes(Tarballs.publishBody(manifest, tgz, "latest")));
            }
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(client.sendAsync(
                        HttpRequest.newBuilder(URI.create(url + "/bulk-" + i))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = sent.get(i).get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as("publish %d: %s", i, r.body()).isEqualTo(201);
            }
            for (int i = 0; i < n; i++) {
                assertThat(http.bytes("bulk-" + i + "/-/bulk-" + i + "-1.0.0.tgz", null))
                        .as("tarball %d", i)
                        .isEqualTo(tarballs.get(i));
            }
            assertThat(server.isAlive()).isTrue();
            try (var left = Files.list(data.resolve("tmp"))) {
                assertThat(left.toList()).as("spooled bodies are gone").isEmpty();
            }
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** Reads the server's output until it says where it listens; keeps draining it afterwards. */
    static String awaitListening(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(
                () -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            synchronized (seen) {
                                seen.append(line).append('\n');
                            }
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) {
                                url.complete(m.group(1));
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the process ended
                    }
                    url.completeExceptionally(new IllegalStateException("the server ended:\n" + seen));
                },
                "launcher-output");
        reader.setDaemon(true);
        reader.start();
        // the launcher builds the jar first when it is older than the sources (not in mvn verify: package ran)
        return url.get(300, TimeUnit.SECONDS);
    }
}
