package dev.airlock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.airlock.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of the soak ({@code reliability/run.sh soak} runs the long one): the same driver for about a minute
 * against a real server process started from target/airlock.jar with the launcher's JVM defaults, on SQLite. Every
 * answer must be the expected one, and after the warm-up the floors of open descriptors and threads must not rise.
 * RSS is printed and only held to a loose bound here: a minute is too short for its slope.
 */
class SoakIT {
    @TempDir
    Path tmp;

    @Test
    void aMinuteOfMixedLoadLeavesNoErrorsAndNoLeakedDescriptorsOrThreads() throws Exception {
        assumeFalse(TestDatabase.postgres(), "about the server process: the SQLite execution runs it");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = tmp.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx80m",
                        "-XX:NewRatio=3",
                        "-XX:MaxDirectMemorySize=64m",
                        "-XX:+UseSerialGC",
                        "-jar",
                        Path.of("target/airlock.jar").toAbsolutePath().toString(),
                        "serve",
                        "--data",
                        tmp.resolve("data").toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AIRLOCK_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("AIRLOCK_AUTH_ALLOW_SIGNUP", "true");
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process server = pb.start();
        try {
            String url = "http://127.0.0.1:" + port + "/";
            awaitReady(server, url, log);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(new TeeStream(bytes), true, StandardCharsets.UTF_8);
            SoakFigures.Result r = new SoakDriver(
                            SoakDriver.parse(
                                    "--url", url,
                                    "--pid", String.valueOf(server.pid()),
                                    "--seconds", "60",
                                    "--rate", "20",
                                    "--warmup", "20",
                                    "--report", "20",
                                    "--npm-every", "25",
                                    "--work", tmp.toString(),
                                    "--max-rss-slope", "0",
                                    "--max-rss-growth", "64",
                                    "--p99-factor", "0",
                                    // a user has 3 fresh codes at once, then one per 30 s: 12 approve 60 in a minute
                                    "--approvers", "12"),
                            out)
                    .run();
            String report = bytes.toString(StandardCharsets.UTF_8);
            assertThat(server.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(r.ops()).as(report).isGreaterThan(600);
            assertThat(r.errors()).as(report).isZero();
            assertThat(report).contains("npm-install");
            assertThat(r.fdGrowth()).as(report).isLessThanOrEqualTo(0);
            assertThat(r.socketGrowth()).as(report).isLessThanOrEqualTo(SoakFigures.MAX_CLIENT_CONNECTIONS);
            assertThat(r.threadGrowth()).as(report).isLessThanOrEqualTo(0);
            assertThat(r.failures()).as(report).isEmpty();
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void awaitReady(Process server, String url, Path log) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(server.isAlive()).as(Files.readString(log)).isTrue();
            try {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(URI.create(url + "-/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("not ready within 60 s:\n" + Files.readString(log));
    }

    /** Keeps the report for the assertion messages and shows it in the test's output too. */
    private static final class TeeStream extends java.io.OutputStream {
        private final List<java.io.OutputStream> outs;

        TeeStream(ByteArrayOutputStream bytes) {
            this.outs = List.of(bytes, System.out);
        }

        @Override
        public void write(int b) throws IOException {
            for (java.io.OutputStream o : outs) {
                o.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (java.io.OutputStream o : outs) {
                o.write(b, off, len);
            }
        }
    }
}
