package dev.airlock.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.CountingUpstream;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's rules against a real upstream: a second Airlock on loopback behind a counting relay, and this Airlock
 * configured with proxy.upstream = the relay. Every assertion goes through real HTTP.
 */
class ProxyTest {
    private static final String CORGI = "application/vnd.npm.install-v1+json";
    private final MutableClock clock = new MutableClock();
    private final CountingUpstream relay = new CountingUpstream();
    private final TestRegistry upstream = TestRegistry.start(Map.of("server.publicUrl", relay.url()));
    private final TestRegistry airlock;
    private final HttpClient client = HttpClient.newHttpClient();

    ProxyTest() {
        relay.target(upstream.url());
        upstream.addUser("bob", "bob-password-long");
        airlock = TestRegistry.start(Map.of("proxy.upstream", relay.url(), "proxy.internal", "billing, corp-*"), clock);
    }

    @AfterEach
    void stop() {
        airlock.close();
        upstream.close();
        relay.close();
    }

    private void publishUpstream(String name, String version, Map<String, String> deps) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        deps.forEach((k, v) -> manifest.withObject("/dependencies").put(k, v));
        upstream.publishDirect(manifest);
    }

    private HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(airlock.url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(req.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<byte[]> res) {
        return Json.parse(res.body());
    }

    @Test
    void servesUpstreamPackagesRewrittenCachedAndRevalidated() throws Exception {
        publishUpstream("left-pad", "1.0.0", Map.of());
        JsonNode original = upstream.http.get("left-pad", null).json();

        HttpResponse<byte[]> full = get("left-pad");
        assertThat(full.statusCode()).isEqualTo(200);
        JsonNode doc = json(full);
        JsonNode dist = doc.path("versions").path("1.0.0").path("dist");
        assertThat(dist.path("tarball").asText()).isEqualTo(airlock.url() + "left-pad/-/left-pad-1.0.0.tgz");
        assertThat(dist.path("integrity").asText())
                .isEqualTo(original.path("versions")
                        .path("1.0.0")
                        .path("dist")
                        .path("integrity")
                        .asText());
        assertThat(doc.path("time")).isEqualTo(original.path("time"));
        assertThat(relay.count("/left-pad")).isEqualTo(1);

        // abbreviated, gzip, ETag/304 and HEAD as for local packages; all from the cache
        HttpResponse<byte[]> corgi = get("left-pad", "Accept", CORGI, "Accept-Encoding", "gzip");
        assertThat(corgi.headers().firstValue("Content-Type").orElse("")).startsWith(CORGI);
        assertThat(corgi.headers().firstValue("Content-Encoding")).hasValue("gzip");
        JsonNode abbreviated =
                Json.parse(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(corgi.body())).readAllBytes());
        assertThat(abbreviated.path("versions").path("1.0.0").has("dist")).isTrue();
        assertThat(abbreviated.path("versions").path("1.0.0").has("description"))
                .isFalse();
        assertThat(abbreviated.has("time")).isFalse();
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(get("left-pad", "If-None-Match", etag).statusCode()).isEqualTo(304);
        HttpResponse<byte[]> head = client.send(
                HttpRequest.newBuilder(URI.create(airlock.url() + "left-pad"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(get("left-pad/1.0.0").statusCode()).isEqualTo(200);
        assertThat(relay.count("/left-pad")).isEqualTo(1);

        // the tarball: fetched once, verified, served from the blob store
        HttpResponse<byte[]> tgz = get("left-pad/-/left-pad-1.0.0.tgz");
        assertThat(tgz.statusCode()).isEqualTo(200);
        String sri = "sha512-"
                + Base64.getEncoder()
                        .encodeToString(MessageDigest.getInstance("SHA-512").digest(tgz.body()));
        assertThat(sri).isEqualTo(dist.path("integrity").asText());
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").body()).isEqualTo(tgz.body());
        assertThat(relay.count("/left-pad/-/left-pad-1.0.0.tgz")).isEqualTo(1);
        assertThat(airlock.airlock.proxy.referencedBlobs())
                .containsExactly(Hashes.hex(MessageDigest.getInstance("SHA-512").digest(tgz.body())));
        assertThat(airlock.airlock.sweep.sweep()).isZero();

        // the cache writes its copies without waiting for the disk: a copy a crash left short is fetched again
        String blob = Hashes.hex(MessageDigest.getInstance("SHA-512").digest(tgz.body()));
        java.nio.file.Path file = airlock.airlock
                .config
                .blobDir()
                .resolve(blob.substring(0, 2))
                .resolve(blob.substring(2, 4))
                .resolve(blob);
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(tgz.body(), tgz.body().length / 2));
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").body()).isEqualTo(tgz.body());
        assertThat(relay.count("/left-pad/-/left-pad-1.0.0.tgz")).isEqualTo(2);
        assertThat(java.nio.file.Files.readAllBytes(file)).isEqualTo(tgz.body());

        // after proxy.maxAgeSeconds (300) a conditional request: 304 keeps the copy and refreshes its age
        clock.advance(Duration.ofSeconds(301));
        assertThat(get("left-pad").headers().firstValue("ETag")).hasValue(etag);
        assertThat(relay.count("/left-pad")).isEqualTo(2);
        assertThat(relay.lastStatus("/left-pad")).isEqualTo(304);
        get("left-pad");
        assertThat(relay.count("/left-pad")).isEqualTo(2);

        // a new upstream version is seen after the next revalidation
        publishUpstream("left-pad", "1.1.0", Map.of());
        assertThat(json(get("left-pad")).path("versions").has("1.1.0")).isFalse();
        clock.advance(Duration.ofSeconds(301));
        JsonNode refreshed = json(get("left-pad"));
        assertThat(relay.lastStatus("/left-pad")).isEqualTo(200);
        assertThat(refreshed.path("versions").has("1.1.0")).isTrue();
        assertThat(refreshed.path("dist-tags").path("latest").asText()).isEqualTo("1.1.0");

        // absent upstream too: 404
        assertThat(get("no-such-package").statusCode()).isEqualTo(404);
    }

    /** Polls the relay's count of a path until it reaches {@code n} (prefetching runs in the background). */
    private void awaitCount(String path, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (relay.count(path) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(relay.count(path)).as(path).isEqualTo(n);
    }

    @Test
    void theLatestVersionsDependenciesAreFetchedAheadOfTheClientThroughTheGuard() throws Exception {
        publishUpstream("pf-c", "1.0.0", Map.of());
        publishUpstream("pf-b", "1.0.0", Map.of("pf-c", "^1.0.0", "billing", "^1.0.0", "corp-secrets", "*"));
        publishUpstream("pf-a", "1.0.0", Map.of());
        publishUpstream("pf-a", "2.0.0", Map.of("pf-b", "^1.0.0"));

        assertThat(get("pf-a", "Accept", CORGI).statusCode()).isEqualTo(200);
        // the latest version's dependencies, and theirs in turn, arrive without the client asking
        awaitCount("/pf-b", 1);
        awaitCount("/pf-c", 1);
        // the client's own requests are then answered from the cache
        assertThat(json(get("pf-b", "Accept", CORGI)).path("versions").has("1.0.0"))
                .isTrue();
        assertThat(json(get("pf-c")).path("versions").has("1.0.0")).isTrue();
        assertThat(relay.count("/pf-b")).isEqualTo(1);
        assertThat(relay.count("/pf-c")).isEqualTo(1);
        // internal names are never asked for, prefetched or not
        assertThat(relay.count("/billing")).isZero();
        assertThat(relay.count("/corp-secrets")).isZero();
    }

    @Test
    void purgeForgetsCachedCopiesAndTheirBlobsButKeepsBlocks() throws Exception {
        publishUpstream("left-pad", "1.0.0", Map.of());
        publishUpstream("left-pad", "1.1.0", Map.of());
        publishUpstream("right-pad", "1.0.0", Map.of());
        airlock.airlock.proxy.controls().block(Actor.operator(), PackageName.parse("left-pad"), "1.1.0", "bad");
        HttpResponse<byte[]> tgz = get("left-pad/-/left-pad-1.0.0.tgz");
        assertThat(tgz.statusCode()).isEqualTo(200);
        String blob = Hashes.hex(MessageDigest.getInstance("SHA-512").digest(tgz.body()));
        assertThat(get("right-pad/-/right-pad-1.0.0.tgz").statusCode()).isEqualTo(200);
        assertThat(airlock.airlock.proxy.referencedBlobs()).hasSize(2).contains(blob);
        assertThat(airlock.airlock.blobs.exists(blob)).isTrue();

        ProxyService.Purged purged =
                airlock.airlock.proxy.purge(Actor.operator(), List.of(PackageName.parse("left-pad")));
        assertThat(purged).isEqualTo(new ProxyService.Purged(1, 1, 1));
        assertThat(airlock.airlock.proxy.referencedBlobs()).hasSize(1).doesNotContain(blob);
        assertThat(airlock.airlock.blobs.exists(blob)).isFalse();
        assertThat(airlock.airlock.audit.forTarget("package:left-pad"))
                .anySatisfy(e -> assertThat(e.action()).isEqualTo("proxy.purge"));

        // the next read asks the upstream again; the operator's block still holds
        assertThat(relay.count("/left-pad")).isEqualTo(1);
        JsonNode doc = json(get("left-pad"));
        assertThat(relay.count("/left-pad")).isEqualTo(2);
        assertThat(doc.path("versions").has("1.0.0")).isTrue();
        assertThat(doc.path("versions").has("1.1.0")).isFalse();
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").statusCode()).isEqualTo(200);
        assertThat(relay.count("/left-pad/-/left-pad-1.0.0.tgz")).isEqualTo(2);

        // --all: everything cached goes, and the blob files with it
        ProxyService.Purged all = airlock.airlock.proxy.purge(Actor.operator(), List.of());
        assertThat(all).isEqualTo(new ProxyService.Purged(2, 2, 2));
        assertThat(airlock.airlock.proxy.referencedBlobs()).isEmpty();
        assertThat(airlock.airlock.sweep.sweep()).isZero();
    }

    @Test
    void localPackagesWinAndInternalNamesAreNeverFetched() {
        upstream.createOrg("acme", "bob"); // the attacker registers the scope upstream
        for (String name : List.of("@acme/utils", "billing", "corp-tools", "shared", "reserved")) {
            publishUpstream(name, "99.0.0", Map.of());
        }
        airlock.addUser("alice", "alice-password-long");
        airlock.createOrg("acme", "alice");
        String token = airlock.login("alice", "alice-password-long");
        airlock.airlock.publish.publish(
                new Actor("alice", "session", "key-alice", "127.0.0.1"),
                PackageName.parse("shared"),
                dev.airlock.testing.Services.body("shared", "1.0.0"));
        airlock.stage(token, "reserved", "1.0.0", false);

        // the org's scope, before any local publish in it; proxy.internal names and prefixes
        for (String path : List.of("@acme%2futils", "billing", "corp-tools", "reserved")) {
            HttpResponse<byte[]> res = get(path);
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(get(path.replace("%2f", "/") + "/-/" + path.replaceAll(".*%2f", "") + "-99.0.0.tgz")
                            .statusCode())
                    .isEqualTo(404);
        }
        assertThat(new String(get("@acme%2futils").body(), StandardCharsets.UTF_8))
                .contains("org of this registry");
        assertThat(new String(get("billing").body(), StandardCharsets.UTF_8)).contains("proxy.internal");
        // a local package wins completely: no upstream version merged in
        JsonNode shared = json(get("shared"));
        assertThat(shared.path("versions").properties())
                .extracting(Map.Entry::getKey)
                .containsExactly("1.0.0");
        assertThat(get("shared/-/shared-99.0.0.tgz").statusCode()).isEqualTo(404);
        assertThat(get("shared/99.0.0").statusCode()).isEqualTo(404);
        assertThat(relay.total()).isZero();
    }

    @Test
    void aTarballThatDoesNotMatchItsPackumentIsRefusedAndNotStored() throws Exception {
        publishUpstream("tampered", "1.0.0", Map.of());
        relay.mode(CountingUpstream.Mode.TAMPER_TARBALLS);
        HttpResponse<byte[]> res = get("tampered/-/tampered-1.0.0.tgz");
        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(Json.parse(res.body()).path("error").asText())
                .contains("does not match its packument")
                .contains("not stored");
        assertThat(airlock.airlock.proxy.referencedBlobs()).isEmpty();
        assertThat(airlock.airlock.blobs.keys()).isEmpty();
        relay.mode(CountingUpstream.Mode.RELAY);
        assertThat(get("tampered/-/tampered-1.0.0.tgz").statusCode()).isEqualTo(200);
    }

    @Test
    void aDeadUpstreamGetsStaleCopiesClearErrorsAndABreaker() {
        publishUpstream("cached", "1.0.0", Map.of());
        assertThat(get("cached").statusCode()).isEqualTo(200);
        relay.mode(CountingUpstream.Mode.DOWN);
        clock.advance(Duration.ofSeconds(301));

        HttpResponse<byte[]> stale = get("cached");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.headers().firstValue("Warning")).hasValue("110 - \"Response is stale\"");
        HttpResponse<byte[]> uncached = get("uncached");
        assertThat(uncached.statusCode()).isEqualTo(502);
        assertThat(Json.parse(uncached.body()).path("error").asText())
                .contains("is unreachable")
                .contains("uncached");

        // after five failures in a row the upstream is left alone for 30 s
        for (int i = 0; i < 6; i++) {
            get("uncached");
        }
        int asked = relay.total();
        assertThat(airlock.airlock.proxy.health().breakerOpen()).isTrue();
        assertThat(get("uncached").statusCode()).isEqualTo(502);
        assertThat(get("cached").headers().firstValue("Warning")).isPresent();
        assertThat(relay.total()).isEqualTo(asked);

        // it recovers once the breaker lets a trial through
        relay.mode(CountingUpstream.Mode.RELAY);
        clock.advance(Duration.ofSeconds(31));
        HttpResponse<byte[]> fresh = get("cached");
        assertThat(fresh.headers().firstValue("Warning")).isEmpty();
        assertThat(airlock.airlock.proxy.health().breakerOpen()).isFalse();
        assertThat(get("uncached").statusCode()).isEqualTo(404);

        // a stopped upstream: what is cached is still served
        relay.close();
        clock.advance(Duration.ofSeconds(301));
        assertThat(get("cached").statusCode()).isEqualTo(200);
        assertThat(get("never-seen").statusCode()).isIn(502, 504);
    }

    @Test
    void concurrentMissesMakeOneUpstreamRequest() throws Exception {
        publishUpstream("popular", "1.0.0", Map.of());
        relay.delay(300);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> packuments = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                packuments.add(pool.submit(() -> get("popular").statusCode()));
            }
            for (Future<Integer> f : packuments) {
                assertThat(f.get()).isEqualTo(200);
            }
            List<Future<Integer>> tarballs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tarballs.add(
                        pool.submit(() -> get("popular/-/popular-1.0.0.tgz").statusCode()));
            }
            for (Future<Integer> f : tarballs) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(relay.count("/popular")).isEqualTo(1);
        assertThat(relay.count("/popular/-/popular-1.0.0.tgz")).isEqualTo(1);
    }

    @Test
    void legacyNamesAreReadableThroughTheProxy() {
        upstream.airlock.names.allow(Actor.operator(), List.of("JSONStream"));
        publishUpstream("JSONStream", "1.3.5", Map.of());
        HttpResponse<byte[]> res = get("JSONStream");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(json(res).path("name").asText()).isEqualTo("JSONStream");
        assertThat(get("JSONStream/-/JSONStream-1.3.5.tgz").statusCode()).isEqualTo(200);
    }
}
