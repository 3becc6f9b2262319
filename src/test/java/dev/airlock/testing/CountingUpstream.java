package dev.airlock.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP relay in front of a real registry (a second Airlock, Verdaccio), for proxy tests: it counts the
 * requests per path, and can delay answers, answer 503 ("down"), or flip a byte of every tarball it relays (an
 * upstream serving bytes that do not match its packument). It keeps the bodies of POSTs (npm audit's bulk requests).
 * Everything else is the real registry's answer.
 */
public final class CountingUpstream implements AutoCloseable {
    public enum Mode {
        RELAY,
        DOWN,
        TAMPER_TARBALLS
    }

    private static final List<String> PASSED = List.of(
            "Accept", "If-None-Match", "If-Modified-Since", "Authorization", "Content-Type", "Content-Encoding");
    private final HttpServer server;
    private volatile String target;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, Integer> lastStatus = new ConcurrentHashMap<>();
    private final Map<String, String> lastAuthorization = new ConcurrentHashMap<>();
    private final Map<String, List<String>> posted = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.RELAY;
    private volatile long delayMillis;

    /**
     * Start it first, start the real registry with {@code server.publicUrl} = {@link #url()} (so the tarball URLs in
     * its packuments come through here too), then {@link #target} it.
     */
    public CountingUpstream() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getRawPath();
            counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            lastAuthorization.put(path, auth == null ? "" : auth);
            try (ex) {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                if (mode == Mode.DOWN) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()));
                for (String h : PASSED) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        req.header(h, v);
                    }
                }
                if (ex.getRequestMethod().equals("POST")) {
                    byte[] sent = ex.getRequestBody().readAllBytes();
                    boolean gz = "gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"));
                    byte[] plain = gz
                            ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(sent)).readAllBytes()
                            : sent;
                    posted.computeIfAbsent(path, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(new String(plain, java.nio.charset.StandardCharsets.UTF_8));
                    req.POST(HttpRequest.BodyPublishers.ofByteArray(sent));
                } else {
                    req.GET();
                }
                HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = res.body();
                lastStatus.put(path, res.statusCode());
                if (mode == Mode.TAMPER_TARBALLS && path.endsWith(".tgz") && body.length > 20) {
                    body[body.length - 9] ^= 1; // inside the gzip trailer's CRC: the bytes differ, the size does not
                }
                for (String h : List.of("ETag", "Last-Modified", "Content-Type", "Location")) {
                    res.headers()
                            .firstValue(h)
                            .ifPresent(v -> ex.getResponseHeaders().add(h, v));
                }
                boolean empty = body.length == 0 || res.statusCode() == 304;
                ex.sendResponseHeaders(res.statusCode(), empty ? -1 : body.length);
                if (!empty) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** The relay's URL (no trailing slash): configure it as proxy.upstream. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public CountingUpstream target(String registry) {
        this.target = registry.endsWith("/") ? registry.substring(0, registry.length() - 1) : registry;
        return this;
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Requests seen for this raw path (e.g. "/left-pad", "/@acme%2futils"). */
    public int count(String path) {
        AtomicInteger n = counts.get(path);
        return n == null ? 0 : n.get();
    }

    /** The status the real registry last answered for this path (304 when a revalidation found no change). */
    public int lastStatus(String path) {
        return lastStatus.getOrDefault(path, 0);
    }

    /** The Authorization header of the last request for this path ("" when it had none, null when none came). */
    public String lastAuthorization(String path) {
        return lastAuthorization.get(path);
    }

    /** The bodies POSTed to this raw path (gunzipped), in order: what the upstream was told. */
    public List<String> posted(String path) {
        return posted.getOrDefault(path, List.of());
    }

    /** Requests seen for every path. */
    public int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
