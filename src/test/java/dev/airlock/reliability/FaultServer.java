package dev.airlock.reliability;

import dev.airlock.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The registry under a fault scenario: a separate {@code java -jar target/airlock.jar serve} process on one data
 * directory and one port, which can be killed (SIGKILL), restarted on the same data, and inspected with the operator
 * commands ({@code audit verify}, {@code blobs sweep}) while it is down. Used by the fault scenarios' standalone
 * mains (reliability/*.sh) and by their short forms (the *IT classes); no JUnit here.
 */
final class FaultServer implements AutoCloseable {
    /** The jar under test: {@code -Dairlock.jar=…}, else target/airlock.jar of the working directory. */
    static final Path JAR =
            Path.of(System.getProperty("airlock.jar", "target/airlock.jar")).toAbsolutePath();

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    final Path data;
    final Path log;
    final int port;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvm = new ArrayList<>(List.of("-Xmx192m", "-XX:+UseSerialGC"));
    private Process process;

    FaultServer(Path work) {
        this(work, work.resolve("data"));
    }

    FaultServer(Path work, Path data) {
        this.data = data;
        this.log = work.resolve("server.log");
        this.port = freePort();
        env.put("AIRLOCK_AUTH_ALLOW_SIGNUP", "true");
    }

    /** An AIRLOCK_* setting for the next start and for the operator commands. */
    FaultServer env(String key, String value) {
        env.put(key, value);
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    Http http() {
        return new Http(url());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the server and returns once {@code /-/health/ready} answers 200; the log is appended to. */
    long start() {
        long t0 = System.nanoTime();
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvm);
        cmd.addAll(launch());
        cmd.addAll(List.of("serve", "--data", data.toString(), "--host", "127.0.0.1", "--port", "" + port));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        clean(pb);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited at start-up:\n" + tail());
            }
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(url() + "-/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause(100);
        }
        throw new IllegalStateException("the server did not become ready in " + START_TIMEOUT + ":\n" + tail());
    }

    /** SIGKILL: no shutdown hook, no drain, no flush. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** SIGTERM: the graceful stop an operator's restart sends. */
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs an operator command on this data directory ({@code --data} is added); returns exit code and output. */
    Cli cli(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx192m", "-XX:+UseSerialGC"));
        cmd.addAll(launch());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        clean(pb);
        try {
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Cli(-1, out + "\n(timed out)");
            }
            return new Cli(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Cli(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** {@code -jar JAR}, or with {@code -Dairlock.classes=DIR} those classes before the jar's (a quick dev loop). */
    private static List<String> launch() {
        String classes = System.getProperty("airlock.classes", "");
        return classes.isEmpty()
                ? List.of("-jar", JAR.toString())
                : List.of("-cp", classes + java.io.File.pathSeparator + JAR, "dev.airlock.Airlock");
    }

    private void clean(ProcessBuilder pb) {
        pb.environment().keySet().removeIf(k -> k.startsWith("AIRLOCK_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().putAll(env);
    }

    /** The last lines of the server's log. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
