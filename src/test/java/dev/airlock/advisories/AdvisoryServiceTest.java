package dev.airlock.advisories;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.CountingUpstream;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The bulk endpoint through real HTTP, as npm 11 calls it (gzipped JSON): answered from the local store filled from
 * real OSV files, and, with an upstream (a second Airlock with its own store, behind a recording relay), forwarded
 * for names that are neither local nor internal.
 */
class AdvisoryServiceTest {
    static final String BULK = "/-/npm/v1/security/advisories/bulk";
    static final String INTERNAL_ADVISORY = "{\"id\":\"CORP-2026-0001\",\"summary\":\"Secret leak in corp-lib\","
            + "\"modified\":\"2026-01-02T00:00:00Z\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":"
            + "\"corp-lib\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
            + "\"1.0.1\"}]}]}],\"database_specific\":{\"severity\":\"LOW\"}}";
    private final HttpClient client = HttpClient.newHttpClient();

    static Path resources() {
        try {
            return Path.of(AdvisoryServiceTest.class.getResource("/advisories").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void importsRealAdvisoriesIdempotentlyAndAnswersOnlyVulnerableVersions() {
        try (TestRegistry airlock = TestRegistry.start()) {
            AdvisoryImport.Summary s = airlock.airlock.advisories.importDirectory(Actor.operator(), resources());
            assertThat(s.describe())
                    .isEqualTo("Imported 3 advisories for 4 packages from " + resources() + " (1 skipped: 1 not npm)");
            assertThat(s.malformed()).isEmpty();
            airlock.airlock.advisories.importDirectory(Actor.operator(), resources());
            assertThat(airlock.airlock.advisories.count()).isEqualTo(3);
            assertThat(airlock.airlock.audit.forTarget("advisories")).hasSize(2);

            HttpResponse<String> r = bulk(
                    airlock.url(),
                    "{\"minimist\":[\"1.2.5\",\"1.2.8\"],\"lodash\":[\"4.17.21\"],\"left-pad\":[\"1.3.0\"]}",
                    true);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = Json.parse(r.body());
            assertThat(body.properties()).hasSize(1);
            JsonNode minimist = body.path("minimist");
            assertThat(minimist).hasSize(1);
            assertThat(minimist.get(0).path("url").asText())
                    .isEqualTo("https://github.com/advisories/GHSA-xvch-5gv4-984h");
            assertThat(minimist.get(0).path("severity").asText()).isEqualTo("critical");
            assertThat(minimist.get(0).path("vulnerable_versions").asText()).isEqualTo(">=1.0.0 <1.2.6 || <0.2.4");
            assertThat(minimist.get(0).path("title").asText()).isEqualTo("Prototype Pollution in minimist");

            // an uncompressed body is read too; the fixed version has nothing
            JsonNode plain = Json.parse(
                    bulk(airlock.url(), "{\"minimist\":[\"1.2.6\"]}", false).body());
            assertThat(plain.isEmpty()).isTrue();
            assertThat(bulk(airlock.url(), "[\"minimist\"]", false).statusCode())
                    .isEqualTo(400);
        }
    }

    @Test
    void aMalformedFileIsReportedAndTheOthersImportedAndWithdrawnOnesRemoved() throws IOException {
        Path dir = Files.createTempDirectory("advisories");
        try (TestRegistry airlock = TestRegistry.start()) {
            Path minimist = dir.resolve("GHSA-xvch-5gv4-984h.json");
            ObjectNode doc = (ObjectNode) OsvTest.advisory(OsvTest.MINIMIST);
            Files2.write(minimist, Json.write(doc));
            Files2.write(dir.resolve("broken.json"), "{\"id\": \"GHSA-");
            AdvisoryImport.Summary s = airlock.airlock.advisories.importDirectory(Actor.operator(), dir);
            assertThat(s.imported()).isEqualTo(1);
            assertThat(s.malformed()).singleElement().asString().startsWith("broken.json: not JSON");

            doc.put("withdrawn", "2026-01-01T00:00:00Z");
            Files2.write(minimist, Json.write(doc));
            Files.delete(dir.resolve("broken.json"));
            s = airlock.airlock.advisories.importDirectory(Actor.operator(), dir);
            assertThat(s.describe()).endsWith("(1 skipped: 1 withdrawn); removed 1 withdrawn");
            assertThat(airlock.airlock.advisories.count()).isZero();
        } finally {
            Files2.deleteTree(dir);
        }
    }

    @Test
    void forwardsPublicNamesOnlyMergesTheAnswersAndSurvivesAnUpstreamOutage() throws IOException {
        Path dir = Files.createTempDirectory("advisories");
        try (CountingUpstream relay = new CountingUpstream();
                TestRegistry upstream = TestRegistry.start();
                TestRegistry airlock = TestRegistry.start(
                        Map.of("proxy.upstream", relay.url(), "proxy.internal", "billing, @corp/*"))) {
            relay.target(upstream.url());
            upstream.airlock.advisories.importDirectory(Actor.operator(), resources());
            // this registry knows minimist's advisory too, and one of its own for its local package corp-lib
            Files2.write(dir.resolve("minimist.json"), Json.write(OsvTest.advisory(OsvTest.MINIMIST)));
            Files2.write(dir.resolve("corp.json"), INTERNAL_ADVISORY);
            airlock.airlock.advisories.importDirectory(Actor.operator(), dir);
            airlock.addUser("bob", "bob-password-long");
            publish(airlock, "corp-lib", "1.0.0");

            String request = "{\"lodash\":[\"4.17.20\"],\"minimist\":[\"1.2.5\"],\"corp-lib\":[\"1.0.0\"],"
                    + "\"billing\":[\"2.0.0\"],\"@corp/secret\":[\"1.0.0\"]}";
            HttpResponse<String> r = bulk(airlock.url(), request, true);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Warning")).isEmpty();
            JsonNode body = Json.parse(r.body());
            assertThat(body.path("lodash").get(0).path("url").asText())
                    .isEqualTo("https://github.com/advisories/GHSA-35jh-r3h4-6jhm"); // from the upstream only
            assertThat(body.path("minimist")).hasSize(1); // both know it: named once
            assertThat(body.path("corp-lib").get(0).path("title").asText()).isEqualTo("Secret leak in corp-lib");
            assertThat(body.path("corp-lib").get(0).path("severity").asText()).isEqualTo("low");

            // the upstream was told about the public names only
            List<String> told = relay.posted(BULK);
            assertThat(told).hasSize(1);
            assertThat(Json.parse(told.get(0)).properties().stream().map(Map.Entry::getKey))
                    .containsExactlyInAnyOrder("lodash", "minimist");

            relay.mode(CountingUpstream.Mode.DOWN);
            HttpResponse<String> down = bulk(airlock.url(), request, true);
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(down.headers().firstValue("Warning").orElseThrow())
                    .startsWith("199 - \"advisories of the upstream registry are missing")
                    .contains("HTTP 503");
            JsonNode local = Json.parse(down.body());
            assertThat(local.has("lodash")).isFalse();
            assertThat(local.path("minimist")).hasSize(1);
            assertThat(local.path("corp-lib")).hasSize(1);
        } finally {
            Files2.deleteTree(dir);
        }
    }

    @Test
    void withoutAnonymousReadsTheCallerMustLogIn() {
        try (TestRegistry airlock = TestRegistry.start(Map.of("auth.anonymousRead", "false"))) {
            assertThat(bulk(airlock.url(), "{\"minimist\":[\"1.2.5\"]}", true).statusCode())
                    .isEqualTo(401);
        }
    }

    private HttpResponse<String> bulk(String registry, String json, boolean gzip) {
        try {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry + BULK.substring(1)))
                    .header("Content-Type", "application/json");
            if (gzip) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                    gz.write(body);
                }
                body = out.toByteArray();
                b.header("Content-Encoding", "gzip");
            }
            return client.send(
                    b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void publish(TestRegistry to, String name, String version) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        to.publishDirect(manifest);
    }
}
