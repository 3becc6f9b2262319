package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Verdaccio (the pinned version in target/clients) on a random loopback port: its own configuration, htpasswd
 * file and log in a temporary directory, its storage in another (kept on request, e.g. for an import to read), no
 * uplinks (nothing reaches the public registry through it), anyone may read, any logged-in user may publish.
 */
public final class Verdaccio implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(60);

    public final Path storage;
    public final int port;
    private final Path home;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean keepStorage;

    private Verdaccio(Path home, Path storage, String access) throws IOException {
        this.home = home;
        this.storage = storage;
        this.port = TestRegistry.freePort();
        Path config = home.resolve("config.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "storage: '" + storage + "'",
                        "auth:",
                        "  htpasswd:",
                        "    file: '" + home.resolve("htpasswd") + "'",
                        "    max_users: 1000",
                        "uplinks: {}",
                        "packages:",
                        "  '@*/*':",
                        "    access: " + access,
                        "    publish: $authenticated",
                        "    unpublish: $authenticated",
                        "  '**':",
                        "    access: " + access,
                        "    publish: $authenticated",
                        "    unpublish: $authenticated",
                        "web:",
                        "  enable: false",
                        "log: { type: file, path: '" + home.resolve("verdaccio.log") + "', level: info }",
                        ""));
        ProcessBuilder pb = new ProcessBuilder(
                        "node",
                        Clients.root()
                                .resolve("node_modules/verdaccio/bin/verdaccio")
                                .toString(),
                        "--config",
                        config.toString(),
                        "--listen",
                        "127.0.0.1:" + port)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("stdout.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(Cli.baseEnv(home));
        this.process = pb.start();
    }

    /** Starts Verdaccio with a new, empty storage. */
    public static Verdaccio start() {
        try {
            return start(Files.createTempDirectory("verdaccio-storage"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts Verdaccio on an existing storage directory (e.g. one a previous instance left behind). */
    public static Verdaccio start(Path storage) {
        return start(storage, "$all");
    }

    /**
     * Starts Verdaccio with a new storage that only logged-in users may read (with anonymous reads allowed, Verdaccio
     * ignores a token it does not know and answers as to anyone).
     */
    public static Verdaccio startPrivate() {
        try {
            return start(Files.createTempDirectory("verdaccio-storage"), "$authenticated");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Verdaccio start(Path storage, String access) {
        Verdaccio v = null;
        try {
            v = new Verdaccio(Files.createTempDirectory("verdaccio-home"), storage, access);
            v.awaitPing();
            return v;
        } catch (IOException | RuntimeException e) {
            if (v != null) {
                v.close();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Waits until GET /-/ping answers 200 (or the process dies, or a minute passes). */
    private void awaitPing() {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Verdaccio exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (get("-/ping").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if it exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Verdaccio did not answer /-/ping within " + START + ":\n" + log());
    }

    /** "http://127.0.0.1:PORT/", as npm wants a registry URL. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /**
     * Creates the user as {@code npm adduser} does (PUT /-/user/org.couchdb.user:NAME; Verdaccio registers unknown
     * users) and returns the token it hands out.
     */
    public String addUser(String name, String password) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("name", name, "password", password, "type", "user"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(
                        url() + "-/user/org.couchdb.user:" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                .header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        JsonNode json = parse(r.body());
        if (r.statusCode() != 201 || !json.path("token").isTextual()) {
            throw new IllegalStateException(
                    "Verdaccio did not register " + name + ": " + r.statusCode() + " " + r.body());
        }
        return json.get("token").asText();
    }

    /** The real npm, logged in to this Verdaccio with the token. */
    public Npm npm(Path npmHome, String token) {
        return Npm.withToken(npmHome, url(), token);
    }

    /** The packument Verdaccio serves for a package (anonymously). */
    public JsonNode packument(String name) {
        return packument(name, null);
    }

    /** The packument Verdaccio serves for a package to the holder of this token (null: anonymously). */
    public JsonNode packument(String name, String token) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url() + name.replace("/", "%2f")))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = send(req);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + name + " from Verdaccio: " + r.statusCode() + " " + r.body());
        }
        return parse(r.body());
    }

    /** What Verdaccio logged so far (for failure messages). */
    public String log() {
        StringBuilder s = new StringBuilder();
        for (String f : List.of("stdout.log", "verdaccio.log")) {
            Path p = home.resolve(f);
            if (Files.exists(p)) {
                s.append("--- ").append(f).append('\n').append(Files2.read(p));
            }
        }
        return s.toString();
    }

    /** close() then leaves the storage directory in place (the caller deletes it). */
    public Verdaccio keepStorage() {
        keepStorage = true;
        return this;
    }

    /** Stops Verdaccio and whatever it started; deletes its directories (the storage unless kept). */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files2.deleteTree(home);
        if (!keepStorage) {
            Files2.deleteTree(storage);
        }
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }
}
