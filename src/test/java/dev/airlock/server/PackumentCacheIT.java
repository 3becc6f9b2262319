package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.DirectMemory;
import dev.airlock.testing.Http;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Packuments served from memory over HTTP (both databases): every change (publish, approval, deprecation, dist-tag,
 * owner, unpublish) is seen on the very next read of each form — full and abbreviated, identity and gzip, with the
 * previous ETag in If-None-Match too — although the previous document was held in memory; a restricted package held
 * for its owner still answers 404 to others; a staged version never appears.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackumentCacheIT {
    static final String CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static final dev.airlock.shared.Actor OPERATOR = dev.airlock.shared.Actor.operator();
    static final dev.airlock.shared.PackageName HOT = dev.airlock.shared.PackageName.parse("hot-pkg");
    TestRegistry registry;
    String alice;
    String bob;

    @BeforeAll
    void start() {
        registry = TestRegistry.start();
        alice = registry.userWithToken("alice");
        bob = registry.userWithToken("bob");
    }

    @AfterAll
    void stop() {
        registry.close();
    }

    /** One form as read now: status, ETag and the decoded document (null on 304/404). */
    record Read(int status, String etag, String json) {}

    Read read(String path, String token, boolean corgi, boolean gzip, String ifNoneMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (corgi) {
            b.header("Accept", CORGI);
        }
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            String etag = r.headers().firstValue("ETag").orElse(null);
            if (r.statusCode() != 200) {
                return new Read(r.statusCode(), etag, null);
            }
            assertThat(r.headers().firstValue("Content-Length")).contains(String.valueOf(r.body().length));
            assertThat(r.headers().firstValue("Content-Encoding").isPresent()).isEqualTo(gzip);
            byte[] body = r.body();
            if (gzip) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            return new Read(200, etag, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every form, each read twice (so the second comes from memory); the identity and gzip bodies agree. */
    List<Read> warm(String path, String token) {
        List<Read> out = new ArrayList<>();
        for (boolean corgi : new boolean[] {false, true}) {
            Read identity = read(path, token, corgi, false, null);
            assertThat(read(path, token, corgi, false, null)).isEqualTo(identity);
            Read gzip = read(path, token, corgi, true, null);
            assertThat(read(path, token, corgi, true, null)).isEqualTo(gzip);
            assertThat(gzip).isEqualTo(identity);
            out.add(identity);
        }
        assertThat(out.get(0).etag()).isNotEqualTo(out.get(1).etag());
        return out;
    }

    /** After a change: each form, first read with the old ETag, is a 200 with a new ETag that {@code check} accepts. */
    void changed(String path, String token, List<Read> before, java.util.function.Predicate<JsonNode> check) {
        for (int f = 0; f < 2; f++) {
            boolean corgi = f == 1;
            for (boolean gzip : new boolean[] {true, false}) {
                Read now = read(path, token, corgi, gzip, before.get(f).etag());
                assertThat(now.status())
                        .as(path + " corgi=" + corgi + " gzip=" + gzip)
                        .isEqualTo(200);
                assertThat(now.etag()).isNotEqualTo(before.get(f).etag());
                assertThat(check.test(Json.parse(now.json()))).as(now.json()).isTrue();
                assertThat(read(path, token, corgi, gzip, now.etag()).status()).isEqualTo(304);
            }
        }
    }

    void publish(String token, String name, String version, String tag) {
        ObjectNode m = Tarballs.manifest(name, version);
        Http.Response r = registry.http.put(
                name.replace("/", "%2f"), token, Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), tag)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /**
     * The bytes of a document held in memory are freed when the last response writing them completes
     * (docs/adr/0020-freed-packument-buffers.md): readers racing a stream of changes must each get a whole document
     * that matches its ETag, never bytes freed (and perhaps reused) under them.
     */
    @Test
    void readersRacingChangesAlwaysGetWholeDocumentsThatMatchTheirEtag() throws Exception {
        String name = "race-pkg";
        publish(alice, name, "1.0.0", "latest");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            boolean corgi = t % 2 == 0;
            boolean gzip = t % 3 == 0;
            readers.add(pool.submit(() -> {
                while (!done.get()) {
                    Read r = read(name, null, corgi, gzip, null);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(dev.airlock.platform.npm.PackumentBytes.etag(r.json()))
                            .as("the body is the document its ETag names")
                            .isEqualTo(r.etag());
                    Json.parse(r.json());
                    reads.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            for (int v = 1; v <= 40; v++) {
                publish(alice, name, "1.0." + v, "latest");
            }
        } finally {
            done.set(true);
            pool.shutdown();
        }
        for (java.util.concurrent.Future<?> r : readers) {
            r.get(); // a reader's failure fails the test
        }
        assertThat(reads.get()).as("reads raced the publishes").isGreaterThan(40);
        assertThat(Json.parse(read(name, null, false, false, null).json())
                        .path("versions")
                        .size())
                .isEqualTo(41);
    }

    /**
     * Pages and search read documents as trees; they must let go of them like a response does, or a changed
     * package's bytes wait for a full collection to be freed (what made the soak's memory climb).
     */
    @Test
    void documentsReadAsTreesAreLetGoOfSoAChangeFreesTheirBytesAtOnce() {
        String name = "page-pkg";
        ObjectNode m = Tarballs.manifest(name, "1.0.0");
        byte[] tgz = Tarballs.packageTgz(m);
        m.put("readme", "r".repeat(1 << 20)); // npm sends it beside package.json; the full document carries it
        Http.Response r = registry.http.put(name, alice, Json.write(Tarballs.publishBody(m, tgz, "latest")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        dev.airlock.shared.PackageName page = dev.airlock.shared.PackageName.parse(name);
        dev.airlock.packages.PackageService packages = registry.airlock.packages;
        assertThat(packages.packument(OPERATOR, page, false).path("readme").asText())
                .hasSize(1 << 20); // assembled
        packages.packument(OPERATOR, page, false); // from memory
        assertThat(packages.search(OPERATOR, List.of(name), 20, 0)).hasSize(1); // from memory too
        long held = DirectMemory.used();

        Http.Response tag = registry.http.put("-/package/" + name + "/dist-tags/beta", alice, "\"1.0.0\"");
        assertThat(tag.status()).as(tag.body()).isBetween(200, 201);
        assertThat(held - DirectMemory.used())
                .as("the cache let go of the changed document, and no reader still held it")
                .isGreaterThan(3 << 18);
    }

    @Test
    void everyChangeIsSeenOnTheNextReadOfEveryForm() {
        publish(alice, "hot-pkg", "1.0.0", "latest");
        List<Read> before = warm("hot-pkg", null);
        publish(alice, "hot-pkg", "1.1.0", "latest");
        changed(
                "hot-pkg",
                null,
                before,
                d -> d.path("versions").has("1.1.0")
                        && d.path("dist-tags").path("latest").asText().equals("1.1.0"));

        before = warm("hot-pkg", null);
        Http.Response tag = registry.http.put("-/package/hot-pkg/dist-tags/beta", alice, "\"1.0.0\"");
        assertThat(tag.status()).as(tag.body()).isBetween(200, 201);
        changed(
                "hot-pkg",
                null,
                before,
                d -> d.path("dist-tags").path("beta").asText().equals("1.0.0"));

        // deprecation
        before = warm("hot-pkg", null);
        registry.airlock.packageUseCases.deprecation().deprecate(OPERATOR, HOT, Map.of("1.0.0", "use 1.1.0"));
        changed(
                "hot-pkg",
                null,
                before,
                d -> d.path("versions")
                        .path("1.0.0")
                        .path("deprecated")
                        .asText()
                        .equals("use 1.1.0"));

        // a new owner: every version's maintainers change
        before = warm("hot-pkg", null);
        registry.airlock.packageUseCases.ownership().setMaintainers(OPERATOR, HOT, null, List.of("alice", "bob"));
        // the abbreviated form lists no maintainers: its new ETag (a new "modified") is what changes
        changed(
                "hot-pkg",
                null,
                before,
                d -> !d.has("_id") || d.path("maintainers").size() == 2);
        assertThat(Json.parse(read("hot-pkg", null, false, false, null).json())
                        .path("versions")
                        .path("1.0.0")
                        .path("maintainers")
                        .size())
                .isEqualTo(2);

        // unpublish of one version
        before = warm("hot-pkg", null);
        registry.airlock.packageUseCases.unpublish().unpublishVersion(OPERATOR, HOT, "1.0.0");
        changed("hot-pkg", null, before, d -> !d.path("versions").has("1.0.0"));
    }

    @Test
    void aRestrictedPackageHeldForItsOwnerIsStill404ForOthers() {
        String token = registry.userWithToken("carol");
        ObjectNode m = Tarballs.manifest("@carol/secret", "1.0.0");
        ObjectNode body = Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest");
        body.put("access", "restricted");
        assertThat(registry.http.put("@carol%2fsecret", token, Json.write(body)).status())
                .isEqualTo(201);
        warm("@carol%2fsecret", token);
        for (String other : new String[] {null, bob}) {
            for (boolean corgi : new boolean[] {false, true}) {
                for (boolean gzip : new boolean[] {false, true}) {
                    assertThat(read("@carol%2fsecret", other, corgi, gzip, null).status())
                            .isEqualTo(404);
                }
            }
        }
        assertThat(read("@carol%2fsecret", token, false, true, null).status()).isEqualTo(200);
    }

    @Test
    void aTarballHeldInMemoryGoesWithItsVersionOrItsPublicAccess() {
        String erin = registry.userWithToken("erin");
        publish(erin, "@erin/tar-hot", "1.0.0", "latest");
        publish(erin, "@erin/tar-hot", "1.1.0", "latest");
        String old = "@erin%2ftar-hot/-/tar-hot-1.0.0.tgz";
        String kept = "@erin%2ftar-hot/-/tar-hot-1.1.0.tgz";
        for (int i = 0; i < 3; i++) { // the first read keeps the rows, the next ones are served from memory
            assertThat(registry.http.get(old, null).status()).isEqualTo(200);
            assertThat(registry.http.get(kept, null).status()).isEqualTo(200);
        }
        registry.airlock
                .packageUseCases
                .unpublish()
                .unpublishVersion(OPERATOR, dev.airlock.shared.PackageName.parse("@erin/tar-hot"), "1.0.0");
        assertThat(registry.http.get(old, null).status()).isEqualTo(404);
        assertThat(registry.http.get(kept, null).status()).isEqualTo(200);

        // made restricted: no longer anyone's from memory
        Http.Response access =
                registry.http.post("-/package/@erin%2ftar-hot/access", erin, "{\"access\":\"restricted\"}");
        assertThat(access.status()).as(access.body()).isEqualTo(200);
        assertThat(registry.http.get(kept, null).status()).isEqualTo(404);
        assertThat(registry.http.get(kept, bob).status()).isEqualTo(404);
        assertThat(registry.http.get(kept, erin).status()).isEqualTo(200);
    }

    @Test
    void aStagedVersionNeverAppearsUntilApproved() {
        String dave = registry.userWithToken("dave");
        publish(dave, "staged-hot", "1.0.0", "latest");
        List<Read> before = warm("staged-hot", null);
        registry.stage(dave, "staged-hot", "1.1.0", false);
        for (Read r : warm("staged-hot", null)) {
            assertThat(r.json()).doesNotContain("1.1.0");
        }
        assertThat(warm("staged-hot", null)).isEqualTo(before);
    }
}
