package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hot reads answered before Javalin (docs/adr/0019-fast-read-path.md): the first read of a packument or tarball goes
 * through the routes and fills memory, the next ones are answered from memory by the fast path — with the same status,
 * bytes and headers in every form (full and abbreviated, identity and gzip, GET and HEAD, 304 on the ETag), the same
 * credentials checks (a bad, revoked or address-fenced token is refused as before), ranges still answered, and every
 * request counted in the metrics by route family.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FastReadsIT {
    static final String CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
    static final String METRICS_TOKEN = "0123456789abcdef0123456789abcdef";
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    // without metrics: their publish listener reads the tarball's size and so warms it (the first read would be hot)
    TestRegistry registry;
    TestRegistry metered;
    String alice;

    @BeforeAll
    void start() {
        registry = TestRegistry.start();
        metered = TestRegistry.start(Map.of("metrics.enabled", "true", "metrics.token", METRICS_TOKEN));
        alice = registry.userWithToken("alice");
    }

    @AfterAll
    void stop() {
        registry.close();
        metered.close();
    }

    record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

    Answer send(String method, String path, String... headers) {
        return send(registry, method, path, headers);
    }

    static Answer send(TestRegistry registry, String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, List<String>> h = new TreeMap<>(r.headers().map());
            h.remove("date");
            return new Answer(r.statusCode(), h, r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void publish(String token, String name, String version, String access) {
        publish(registry, token, name, version, access);
    }

    static void publish(TestRegistry registry, String token, String name, String version, String access) {
        ObjectNode m = Tarballs.manifest(name, version);
        ObjectNode body = Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest");
        if (access != null) {
            body.put("access", access);
        }
        Http.Response r = registry.http.put(name.replace("/", "%2f"), token, Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** The cold answer (through the routes) and the hot ones (from memory) agree in status, headers and bytes. */
    void sameColdAndHot(String method, String path, String... headers) {
        Answer cold = send(method, path, headers);
        assertThat(cold.status()).as(method + " " + path).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            Answer hot = send(method, path, headers);
            assertThat(hot.status()).isEqualTo(cold.status());
            assertThat(hot.headers())
                    .as(method + " " + path + " " + Arrays.toString(headers))
                    .isEqualTo(cold.headers());
            assertThat(hot.body()).isEqualTo(cold.body());
        }
        if ("GET".equals(method)) {
            assertThat(cold.headers().get("content-length")).containsExactly(String.valueOf(cold.body().length));
        } else {
            assertThat(cold.body()).isEmpty();
        }
    }

    @Test
    void hotReadsAnswerExactlyAsTheRoutesDo() {
        List<String[]> forms = List.of(
                new String[] {},
                new String[] {"Accept", CORGI},
                new String[] {"Accept-Encoding", "gzip"},
                new String[] {"Accept", CORGI, "Accept-Encoding", "gzip"});
        for (String method : List.of("GET", "HEAD")) {
            for (int f = 0; f < forms.size(); f++) {
                // a fresh package per form and method: its first read is cold
                String name = "@alice/same-" + method.toLowerCase(java.util.Locale.ROOT) + f;
                publish(alice, name, "1.0.0", null);
                sameColdAndHot(method, name.replace("/", "%2f"), forms.get(f));
                sameColdAndHot(method, name.replace("/", "%2f"), "Authorization", "Bearer " + alice);
            }
            String tar = "tar-" + method.toLowerCase(java.util.Locale.ROOT);
            publish(alice, tar, "1.0.0", null);
            sameColdAndHot(method, tar + "/-/" + tar + "-1.0.0.tgz");
        }
        // the unscoped form of a path the routes also accept: %40scope%2Fname
        publish(alice, "@alice/encoded", "1.0.0", null);
        sameColdAndHot("GET", "%40alice%2Fencoded");
    }

    @Test
    void conditionalAndRangedHotReads() {
        publish(alice, "cond-pkg", "1.0.0", null);
        Answer doc = send("GET", "cond-pkg");
        String etag = doc.headers().get("etag").get(0);
        for (int i = 0; i < 2; i++) {
            Answer same = send("GET", "cond-pkg", "If-None-Match", etag);
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.body()).isEmpty();
            assertThat(same.headers().get("etag")).containsExactly(etag);
        }
        assertThat(send("GET", "cond-pkg", "If-None-Match", "\"other\"").status())
                .isEqualTo(200);

        String path = "cond-pkg/-/cond-pkg-1.0.0.tgz";
        byte[] whole = send("GET", path).body();
        Answer tar = send("GET", path);
        assertThat(tar.body()).isEqualTo(whole);
        String tarTag = tar.headers().get("etag").get(0);
        assertThat(send("GET", path, "If-None-Match", tarTag).status()).isEqualTo(304);
        Answer range = send("GET", path, "Range", "bytes=10-19");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(whole, 10, 20));
        assertThat(range.headers().get("content-range")).containsExactly("bytes 10-19/" + whole.length);
    }

    @Test
    void credentialsAreCheckedOnHotReadsAsBefore() {
        publish(alice, "@alice/private", "1.0.0", "restricted");
        publish(alice, "open-pkg", "1.0.0", null);
        String token = registry.userWithToken("frank");
        for (int i = 0; i < 2; i++) { // warm both
            assertThat(send("GET", "@alice%2fprivate", "Authorization", "Bearer " + alice)
                            .status())
                    .isEqualTo(200);
            assertThat(send("GET", "open-pkg", "Authorization", "Bearer " + token)
                            .status())
                    .isEqualTo(200);
        }
        // held in memory for its owner, still 404 to anyone else
        assertThat(send("GET", "@alice%2fprivate").status()).isEqualTo(404);
        assertThat(send("GET", "@alice%2fprivate", "Authorization", "Bearer " + token)
                        .status())
                .isEqualTo(404);
        assertThat(send("GET", "@alice%2fprivate/-/private-1.0.0.tgz").status()).isEqualTo(404);

        // a token that is not one: 401 with npm's message, even for a public package held in memory
        Answer bad = send("GET", "open-pkg", "Authorization", "Bearer npm_notarealtoken");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(Json.parse(new String(bad.body(), java.nio.charset.StandardCharsets.UTF_8))
                        .path("error")
                        .asText())
                .isNotBlank();

        // a token fenced to other addresses is refused here too
        String fenced = registry.http
                .post("-/npm/v1/tokens", token, "{\"password\":\"frank-password\",\"cidr_whitelist\":[\"10.0.0.0/8\"]}")
                .json()
                .path("token")
                .asText();
        assertThat(send("GET", "open-pkg", "Authorization", "Bearer " + fenced).status())
                .isEqualTo(401);
        assertThat(send("GET", "open-pkg/-/open-pkg-1.0.0.tgz", "Authorization", "Bearer " + fenced)
                        .status())
                .isEqualTo(401);

        // a revoked token (npm logout) no longer reads what memory holds
        assertThat(registry.http.delete("-/user/token/" + token, token).status())
                .isEqualTo(200);
        assertThat(send("GET", "open-pkg", "Authorization", "Bearer " + token).status())
                .isEqualTo(401);
    }

    @Test
    void hotReadsAreCountedInTheMetrics() {
        publish(metered, metered.userWithToken("carol"), "counted-pkg", "1.0.0", null);
        send(metered, "GET", "counted-pkg"); // cold: fills memory
        send(metered, "GET", "counted-pkg/-/counted-pkg-1.0.0.tgz");
        double packuments = requests("packument", "2xx");
        double tarballs = requests("tarball", "2xx");
        double notModified = requests("packument", "3xx");
        String etag = send(metered, "GET", "counted-pkg").headers().get("etag").get(0);
        for (int i = 0; i < 4; i++) {
            send(metered, "GET", "counted-pkg");
            send(metered, "GET", "counted-pkg/-/counted-pkg-1.0.0.tgz");
        }
        send(metered, "GET", "counted-pkg", "If-None-Match", etag);
        assertThat(requests("packument", "2xx")).isEqualTo(packuments + 5);
        assertThat(requests("tarball", "2xx")).isEqualTo(tarballs + 4);
        assertThat(requests("packument", "3xx")).isEqualTo(notModified + 1);
    }

    double requests(String family, String status) {
        Answer scrape = send(metered, "GET", "-/metrics", "Authorization", "Bearer " + METRICS_TOKEN);
        assertThat(scrape.status()).isEqualTo(200);
        String text = new String(scrape.body(), java.nio.charset.StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("^airlock_http_server_requests_seconds_count\\{([^}]*)} (\\S+)$", Pattern.MULTILINE)
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("family=\"" + family + "\"")
                    && labels.contains("method=\"GET\"")
                    && labels.contains("status=\"" + status + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
