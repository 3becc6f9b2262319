package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.platform.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A public packument as large as {@code @types/node}'s (about 10 MB, 3,000 versions, characters beyond Latin-1)
 * proxied by {@code ./airlock
 * serve} with the launcher's own heap ({@code -Xmx80m}): the full and abbreviated documents are answered as npm
 * expects and the server keeps answering. The upstream is a small HTTP server on loopback serving the generated
 * document as the public registry does (gzip when asked).
 */
class ProxyLargePackumentIT {
    static final int VERSIONS = 3000;
    static final String NAME = "huge-types";

    @TempDir
    Path tmp;

    @Test
    void aTenMegabytePackumentIsServedWithTheLaunchersHeap() throws Exception {
        byte[] doc = Json.MAPPER.writeValueAsBytes(packument());
        assertThat(doc.length).isBetween(9_000_000, 14_000_000);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(doc);
        }
        AtomicReference<String> askedEncoding = new AtomicReference<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/" + NAME)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            String enc = ex.getRequestHeaders().getFirst("Accept-Encoding");
            askedEncoding.set(enc);
            boolean gzip = enc != null && enc.contains("gzip");
            byte[] body = gzip ? gz.toByteArray() : doc;
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("ETag", "\"big-1\"");
            if (gzip) {
                ex.getResponseHeaders().add("Content-Encoding", "gzip");
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        ProcessBuilder pb = new ProcessBuilder(
                        "./airlock", "serve", "--data", tmp.resolve("data").toString(), "--port", "0")
                .redirectErrorStream(true);
        pb.environment().remove("AIRLOCK_JAVA_OPTS"); // the launcher's defaults (-Xmx80m), as a user gets them
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(dev.airlock.testing.TestDatabase.envFor(tmp.resolve("data")));
        pb.environment()
                .put(
                        "AIRLOCK_PROXY_UPSTREAM",
                        "http://127.0.0.1:" + upstream.getAddress().getPort() + "/");
        Process server = pb.start();
        try {
            String url = LauncherIT.awaitListening(server);
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

            // npm's request first (abbreviated, gzip): the cold path fetches, scans and builds both documents
            HttpResponse<byte[]> abbreviated = get(
                    http,
                    url + "/" + NAME,
                    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*",
                    "gzip, deflate");
            assertThat(abbreviated.statusCode())
                    .as(new String(abbreviated.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(abbreviated.headers().firstValue("Content-Encoding")).hasValue("gzip");
            JsonNode corgi = Json.parse(
                    new GZIPInputStream(new java.io.ByteArrayInputStream(abbreviated.body())).readAllBytes());
            assertThat(corgi.path("name").asText()).isEqualTo(NAME);
            assertThat(corgi.path("versions").size()).isEqualTo(VERSIONS);
            assertThat(corgi.path("dist-tags").path("latest").asText()).isEqualTo("1.29.99");
            JsonNode one = corgi.path("versions").path("1.0.5");
            assertThat(one.path("dist").path("tarball").asText())
                    .isEqualTo(url + "/" + NAME + "/-/" + NAME + "-1.0.5.tgz");
            assertThat(one.has("readme")).isFalse();
            assertThat(one.path("dependencies").size()).isEqualTo(20);
            assertThat(askedEncoding.get()).as("the upstream is asked for gzip").contains("gzip");

            HttpResponse<byte[]> full = get(http, url + "/" + NAME, "application/json", null);
            assertThat(full.statusCode()).isEqualTo(200);
            JsonNode whole = Json.parse(full.body());
            assertThat(whole.path("versions").size()).isEqualTo(VERSIONS);
            assertThat(whole.path("time").size()).isEqualTo(VERSIONS + 2);
            assertThat(whole.path("versions")
                            .path("1.29.99")
                            .path("dist")
                            .path("tarball")
                            .asText())
                    .isEqualTo(url + "/" + NAME + "/-/" + NAME + "-1.29.99.tgz");
            assertThat(whole.path("versions")
                            .path("1.29.99")
                            .path("dist")
                            .path("integrity")
                            .asText())
                    .startsWith("sha512-");
            assertThat(whole.path("readme").asText()).startsWith("# huge");
            assertThat(whole.has("_attachments")).isFalse();

            HttpResponse<byte[]> manifest = get(http, url + "/" + NAME + "/latest", "application/json", null);
            assertThat(manifest.statusCode()).isEqualTo(200);
            assertThat(Json.parse(manifest.body()).path("version").asText()).isEqualTo("1.29.99");

            HttpResponse<byte[]> ping = get(http, url + "/-/ping", "application/json", null);
            assertThat(ping.statusCode()).isEqualTo(200);
            assertThat(server.isAlive()).isTrue();
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            upstream.stop(0);
        }
    }

    private static HttpResponse<byte[]> get(HttpClient http, String url, String accept, String encoding)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("Accept", accept);
        if (encoding != null) {
            req.header("Accept-Encoding", encoding);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Shaped like a large public packument: many versions, each with many small fields, and a time per version. */
    static ObjectNode packument() {
        ObjectNode doc = Json.object();
        doc.put("_id", NAME);
        doc.put("name", NAME);
        doc.put("description", "TypeScript definitions, generated for a test");
        ObjectNode versions = doc.putObject("versions");
        ObjectNode time = Json.object();
        Instant t0 = Instant.parse("2020-01-01T00:00:00Z");
        time.put("created", t0.toString());
        String last = null;
        for (int i = 0; i < VERSIONS; i++) {
            String v = "1." + (i / 100) + "." + (i % 100);
            ObjectNode m = versions.putObject(v);
            m.put("name", NAME);
            m.put("version", v);
            m.put("description", "TypeScript definitions for a runtime, release " + v);
            m.put("license", "MIT");
            m.put("main", "");
            m.put("types", "index.d.ts");
            m.putObject("repository").put("type", "git").put("url", "https://github.com/example/types.git");
            ArrayNode contributors = m.putArray("contributors");
            for (int c = 0; c < 40; c++) {
                // names beyond Latin-1, as @types/node's contributors have: the document is not a Latin-1 String
                contributors
                        .addObject()
                        .put("name", "Contributor " + c + (c % 8 == 0 ? " Łukasz 王" : ""))
                        .put("githubUsername", "contrib" + c);
            }
            ObjectNode deps = m.putObject("dependencies");
            for (int d = 0; d < 20; d++) {
                deps.put("dep-" + d, "^" + d + ".0.0");
            }
            ArrayNode keywords = m.putArray("keywords");
            for (int k = 0; k < 10; k++) {
                keywords.add("keyword-" + k);
            }
            m.putObject("scripts");
            m.put("typesPublisherContentHash", "0123456789abcdef".repeat(4));
            m.put("typeScriptVersion", "4.5");
            m.putObject("dist")
                    .put("integrity", "sha512-" + "A".repeat(86) + "==")
                    .put("shasum", "0123456789abcdef0123456789abcdef01234567")
                    .put("tarball", "https://registry.example/" + NAME + "/-/" + NAME + "-" + v + ".tgz")
                    .put("fileCount", 60)
                    .put("unpackedSize", 3_800_000);
            m.putObject("_npmUser").put("name", "types").put("email", "ts-npm-types@example.com");
            m.put("_id", NAME + "@" + v);
            time.put(v, t0.plusSeconds(3600L * i).toString());
            last = v;
        }
        time.put("modified", t0.plusSeconds(3600L * VERSIONS).toString());
        doc.set("time", time);
        doc.putObject("dist-tags").put("latest", last);
        doc.put("readme", "# huge-types\n" + "Definitions. ".repeat(2000));
        doc.putObject("_attachments");
        return doc;
    }
}
