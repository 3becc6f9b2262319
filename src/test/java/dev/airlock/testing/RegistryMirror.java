package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A caching mirror of the public npm registry for the real-world corpus. Packuments and tarballs are kept exactly as
 * the upstream registry served them (bytes unchanged) under {@code CACHE/registry}; a miss is fetched from upstream
 * (system property airlock.corpus.registry, default https://registry.npmjs.org) and a tarball is cached only after its
 * bytes match the packument's integrity. What it serves: {@code GET /<name>} (scoped as {@code @scope%2fname} or
 * {@code @scope/name}) is the cached packument with every {@code dist.tarball} pointing at the mirror itself, and
 * {@code GET /<name>/-/<file>.tgz} the cached tarball. Once the cache is warm no network is needed.
 */
public final class RegistryMirror implements AutoCloseable {
    public static final String UPSTREAM = System.getProperty("airlock.corpus.registry", "https://registry.npmjs.org")
            .replaceFirst("/+$", "");
    public static final Path CACHE = Path.of(System.getProperty(
                    "airlock.corpus.cache", System.getProperty("user.home") + "/.cache/airlock-corpus"))
            .resolve("registry");

    private final Path cache;
    private final String upstream;
    private final HttpServer server;
    /** name → version → its dist. */
    private final Map<String, Map<String, JsonNode>> dists = new ConcurrentHashMap<>();

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    private RegistryMirror(Path cache, String upstream) throws IOException {
        this.cache = cache;
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    public static RegistryMirror start() {
        try {
            return new RegistryMirror(CACHE, UPSTREAM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With a trailing slash, as npm wants a registry URL. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public Path cacheDir() {
        return cache;
    }

    /** The packument exactly as upstream served it (fetched once, then from the cache). */
    public byte[] packument(String name) {
        Path file = cache.resolve("packuments").resolve(name.replace("/", "%2f") + ".json");
        if (!Files.isRegularFile(file)) {
            String escaped = name.startsWith("@") ? name.replace("/", "%2f") : name;
            store(fetch(upstream + "/" + escaped, "application/json"), file);
        }
        return read(file);
    }

    /** The tarball of name@version exactly as upstream served it, verified against the packument's integrity. */
    public Path tarball(String name, String version) {
        JsonNode dist = dists(name).get(version);
        if (dist == null) {
            throw new IllegalStateException(name + "@" + version + " is not in the packument " + upstream + "/" + name);
        }
        return tarball(name, dist);
    }

    private Path tarball(String name, JsonNode dist) {
        String source = dist.path("tarball").asText();
        Path file = cache.resolve("tarballs")
                .resolve(name.replace("/", "%2f"))
                .resolve(source.substring(source.lastIndexOf('/') + 1));
        if (Files.isRegularFile(file)) {
            return file;
        }
        byte[] bytes = fetch(source, "*/*");
        String problem = integrityProblem(bytes, dist);
        if (problem != null) {
            throw new IllegalStateException(source + ": " + problem);
        }
        store(bytes, file);
        return file;
    }

    /** Null when the bytes match dist.integrity (its sha512 or, for old packages, dist.shasum). */
    static String integrityProblem(byte[] bytes, JsonNode dist) {
        String integrity = dist.path("integrity").asText("");
        for (String part : integrity.split("\\s+")) {
            if (part.startsWith("sha512-")) {
                String got = "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", bytes));
                return got.equals(part) ? null : "integrity " + got + " differs from the packument's " + part;
            }
        }
        String got = HexFormat.of().formatHex(digest("SHA-1", bytes));
        return got.equals(dist.path("shasum").asText())
                ? null
                : "sha1 " + got + " differs from the packument's " + dist.path("shasum");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8)
                    .substring(1);
            int dash = path.indexOf("/-/");
            try {
                if (dash > 0) {
                    String name = path.substring(0, dash);
                    String file = path.substring(dash + 3);
                    send(ex, 200, "application/octet-stream", read(tarballFile(name, file)));
                } else {
                    send(ex, 200, "application/json", rewritten(path));
                }
            } catch (NotFound e) {
                send(ex, 404, "application/json", "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                send(ex, 502, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private Path tarballFile(String name, String file) {
        for (JsonNode dist : dists(name).values()) {
            String source = dist.path("tarball").asText();
            if (source.substring(source.lastIndexOf('/') + 1).equals(file)) {
                return tarball(name, dist);
            }
        }
        throw new NotFound();
    }

    /** version → dist of the public packument (parsed once: some packuments are megabytes). */
    public Map<String, JsonNode> dists(String name) {
        return dists.computeIfAbsent(name, n -> {
            Map<String, JsonNode> byVersion = new HashMap<>();
            Json.parse(packument(n))
                    .path("versions")
                    .properties()
                    .forEach(v -> byVersion.put(v.getKey(), v.getValue().path("dist")));
            return byVersion;
        });
    }

    /** The integrity a client's lockfile must record for name@version: the public dist.integrity (or its sha1). */
    public String publicIntegrity(String name, String version) {
        JsonNode dist = dists(name).get(version);
        if (dist == null) {
            return null;
        }
        return dist.has("integrity")
                ? dist.path("integrity").asText()
                : "sha1-"
                        + Base64.getEncoder()
                                .encodeToString(HexFormat.of()
                                        .parseHex(dist.path("shasum").asText()));
    }

    private byte[] rewritten(String name) {
        ObjectNode doc = (ObjectNode) Json.parse(packument(name));
        for (Map.Entry<String, JsonNode> version : doc.path("versions").properties()) {
            JsonNode dist = version.getValue().path("dist");
            if (dist instanceof ObjectNode d) {
                String source = d.path("tarball").asText();
                d.put("tarball", url() + name + "/-/" + source.substring(source.lastIndexOf('/') + 1));
            }
        }
        return Json.write(doc).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] fetch(String url, String accept) {
        try {
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofMinutes(3))
                            .header("Accept", accept)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404) {
                throw new NotFound();
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "The real-world corpus fills its cache (" + cache + ") from the public npm registry on its first"
                            + " run, and " + url + " could not be fetched: " + e
                            + ". Connect to the network once, or point -Dairlock.corpus.registry at a mirror.",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void store(byte[] bytes, Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".part-", "");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Upstream has no such package or file. */
    static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound() {
            super("not found", null, false, false);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
