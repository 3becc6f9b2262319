package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.AirlockAssembly;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Packument forms, caching headers, tarball URLs that follow the public URL, and the orphan sweep. */
class ReadPathsIT {
    static final String CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

    @Test
    void fullAndAbbreviatedPackumentsWithEtags() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("reader");
            var manifest = Tarballs.manifest("@reader/lib", "1.0.0");
            manifest.putObject("scripts").put("postinstall", "node setup.js");
            manifest.put("readme", "# hello");
            manifest.put("description", "h\u00e9llo \u2713 \u65e5\u672c \ud83d\ude80"); // served as stored UTF-8 bytes
            manifest.putObject("dependencies").put("left", "^1.0.0");
            assertThat(registry.http
                            .put(
                                    "@reader%2flib",
                                    token,
                                    Json.write(Tarballs.publishBody(
                                            manifest, Tarballs.packageTgz(withoutReadme(manifest)), "latest")))
                            .status())
                    .isEqualTo(201);

            Http.Response full = registry.http.get("@reader%2flib", null);
            assertThat(full.status()).isEqualTo(200);
            assertThat(full.header("Vary")).contains("Accept");
            assertThat(full.header("Cache-Control")).isEqualTo("no-cache");
            JsonNode doc = full.json();
            assertThat(doc.path("_rev").asText()).matches("\\d+-[0-9a-f]{16}");
            assertThat(doc.path("readme").asText()).isEqualTo("# hello");
            assertThat(doc.path("description").asText()).isEqualTo("h\u00e9llo \u2713 \u65e5\u672c \ud83d\ude80");
            assertThat(full.header("Content-Length"))
                    .isEqualTo(String.valueOf(full.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            JsonNode v = doc.path("versions").path("1.0.0");
            assertThat(v.path("hasInstallScript").asBoolean()).isTrue();
            assertThat(v.path("_hasShrinkwrap").asBoolean()).isFalse();
            assertThat(v.path("dist").path("fileCount").asInt()).isEqualTo(2);
            assertThat(v.path("dist").path("tarball").asText())
                    .isEqualTo(registry.url() + "@reader/lib/-/lib-1.0.0.tgz");
            assertThat(v.has("readme")).isFalse();
            assertThat(doc.path("time").has("1.0.0")).isTrue();

            Http.Response corgi = registry.http.get("@reader/lib", null, "Accept", CORGI);
            assertThat(corgi.header("Content-Type")).startsWith("application/vnd.npm.install-v1+json");
            JsonNode abbreviated = corgi.json();
            assertThat(abbreviated.fieldNames())
                    .toIterable()
                    .containsExactlyInAnyOrder("name", "modified", "dist-tags", "versions");
            assertThat(abbreviated.path("versions").path("1.0.0").has("scripts"))
                    .isFalse();
            assertThat(abbreviated
                            .path("versions")
                            .path("1.0.0")
                            .path("dependencies")
                            .path("left")
                            .asText())
                    .isEqualTo("^1.0.0");
            assertThat(corgi.header("ETag")).isNotEqualTo(full.header("ETag"));

            Http.Response revalidated = registry.http.get("@reader%2Flib", null, "If-None-Match", full.header("ETag"));
            assertThat(revalidated.status()).isEqualTo(304);
            assertThat(registry.http
                            .get("@reader/lib", null, "Accept", CORGI, "If-None-Match", corgi.header("ETag"))
                            .status())
                    .isEqualTo(304);

            byte[] tgz = registry.http.bytes("@reader/lib/-/lib-1.0.0.tgz", null);
            assertThat(tgz).isNotNull();
            assertThat(registry.http
                            .get("@reader/lib/1.0.0", null)
                            .json()
                            .path("version")
                            .asText())
                    .isEqualTo("1.0.0");
            assertThat(registry.http
                            .get("@reader/lib/latest", null)
                            .json()
                            .path("version")
                            .asText())
                    .isEqualTo("1.0.0");
            assertThat(registry.http.get("@reader/lib/-/other-1.0.0.tgz", null).status())
                    .isEqualTo(404);
            assertThat(registry.http.get("@reader/lib/-/lib-9.9.9.tgz", null).status())
                    .isEqualTo(404);
            // npm asks for gzip: the stored gzip copy is served, and it decodes to the same document
            java.net.http.HttpResponse<byte[]> gz = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(registry.url() + "@reader%2flib"))
                                    .header("Accept-Encoding", "gzip,deflate")
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
            assertThat(gz.headers().firstValue("ETag")).contains(full.header("ETag"));
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz.body()))) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(full.body());
            }
            // HEAD answers like GET (Javalin would otherwise say 200 for anything)
            assertThat(registry.http.send("HEAD", "@reader%2flib", null, null).status())
                    .isEqualTo(200);
            assertThat(registry.http.send("HEAD", "no-such-package", null, null).status())
                    .isEqualTo(404);
            assertThat(registry.http
                            .send("HEAD", "@reader/lib/-/lib-9.9.9.tgz", null, null)
                            .status())
                    .isEqualTo(404);
            // a dynamic /-/ read is never cached by the client
            assertThat(registry.http
                            .get("-/package/@reader%2flib/dist-tags", null)
                            .header("Cache-Control"))
                    .isEqualTo("no-store");
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode withoutReadme(
            com.fasterxml.jackson.databind.node.ObjectNode m) {
        var copy = m.deepCopy();
        copy.remove("readme");
        return copy;
    }

    /**
     * npm, pnpm, yarn and bun all ask for tarballs with Accept-Encoding: gzip. A tarball is gzip already: it must
     * come back as stored, byte for byte and with its own length, whatever its size (the server compresses other
     * responses over 1,500 bytes). Published and staged tarballs alike; HEAD on a published one gives the same length.
     */
    @Test
    void largeTarballsAreServedAsStoredWhenTheClientAcceptsGzip() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("bulky");
            byte[] noise = new byte[64 * 1024];
            new java.util.Random(7).nextBytes(noise);
            var manifest = Tarballs.manifest("bulky", "1.0.0");
            byte[] tgz = Tarballs.tgz(
                    Tarballs.Entry.file("package/package.json", Json.write(manifest)),
                    new Tarballs.Entry(
                            "package/noise.bin",
                            noise,
                            org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL,
                            null));
            assertThat(tgz.length).isGreaterThan(60_000);
            assertThat(registry.http
                            .put("bulky", token, Json.write(Tarballs.publishBody(manifest, tgz, "latest")))
                            .status())
                    .isEqualTo(201);
            var staged = Tarballs.manifest("bulky", "1.1.0");
            byte[] stagedTgz = Tarballs.tgz(
                    Tarballs.Entry.file("package/package.json", Json.write(staged)),
                    new Tarballs.Entry(
                            "package/noise.bin",
                            noise,
                            org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL,
                            null));
            Http.Response stage = registry.http.send(
                    "POST",
                    "-/stage/package/bulky",
                    token,
                    Json.write(Tarballs.publishBody(staged, stagedTgz, "latest")));
            assertThat(stage.status()).as(stage.body()).isEqualTo(201);

            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            for (var c : java.util.List.of(
                    java.util.Map.entry("bulky/-/bulky-1.0.0.tgz", tgz),
                    java.util.Map.entry(
                            "-/stage/" + stage.json().path("stageId").asText() + "/tarball", stagedTgz))) {
                for (String method : c.getKey().startsWith("-/stage/")
                        ? java.util.List.of("GET")
                        : java.util.List.of("GET", "HEAD")) {
                    var response = client.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(registry.url() + c.getKey()))
                                    .method(method, java.net.http.HttpRequest.BodyPublishers.noBody())
                                    .header("Accept-Encoding", "gzip, deflate, br")
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(response.statusCode())
                            .as(method + " " + c.getKey())
                            .isEqualTo(200);
                    assertThat(response.headers().firstValue("Content-Encoding"))
                            .as(c.getKey())
                            .isEmpty();
                    assertThat(response.headers().firstValueAsLong("Content-Length"))
                            .hasValue(c.getValue().length);
                    assertThat(response.body()).isEqualTo(method.equals("GET") ? c.getValue() : new byte[0]);
                }
            }
        }
    }

    @Test
    void tarballUrlsFollowThePublicUrlAcrossRestarts() throws Exception {
        Path data = Files.createTempDirectory("airlock-url");
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Map<String, String> flags =
                    new java.util.HashMap<>(Map.of("data.dir", data.toString(), "server.port", String.valueOf(port)));
            flags.putAll(dev.airlock.testing.TestDatabase.settingsFor(data));
            try (AirlockAssembly first = new AirlockAssembly(ConfigLoader.load(null, Map.of(), flags))) {
                first.serve();
                Http http = new Http("http://127.0.0.1:" + port + "/");
                first.users.add(dev.airlock.shared.Actor.operator(), "mover", "m@example.com", "mover-password", false);
                String token = http.put(
                                "-/user/org.couchdb.user:mover",
                                null,
                                "{\"name\":\"mover\",\"password\":\"mover-password\"}")
                        .json()
                        .path("token")
                        .asText();
                assertThat(http.put("moving", token, Json.write(Tarballs.publishBody("moving", "1.0.0")))
                                .status())
                        .isEqualTo(201);
            }
            flags.put("server.publicUrl", "https://npm.example.com/registry");
            try (AirlockAssembly second = new AirlockAssembly(ConfigLoader.load(null, Map.of(), flags))) {
                second.serve();
                Http http = new Http("http://127.0.0.1:" + port + "/");
                assertThat(http.get("moving", null)
                                .json()
                                .path("versions")
                                .path("1.0.0")
                                .path("dist")
                                .path("tarball")
                                .asText())
                        .isEqualTo("https://npm.example.com/registry/moving/-/moving-1.0.0.tgz");
            }
        } finally {
            dev.airlock.testing.TestDatabase.drop(data);
            Files2.deleteTree(data);
        }
    }

    @Test
    void orphanedBlobsAreSweptButReferencedOnesStay() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("sweeper");
            assertThat(registry.http
                            .put("kept", token, Json.write(Tarballs.publishBody("kept", "1.0.0")))
                            .status())
                    .isEqualTo(201);
            String orphan = "ab".repeat(64);
            registry.airlock.blobs.put(orphan, new byte[] {1, 2, 3});
            // young blobs are spared (their publish may be in flight)
            assertThat(registry.airlock.sweep.sweep()).isZero();
            Path file = registry.dataDir.resolve("blobs/ab/ab/" + orphan);
            Files.setLastModifiedTime(
                    file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 2 * 3_600_000));
            assertThat(registry.airlock.sweep.sweep()).isEqualTo(1);
            assertThat(registry.airlock.blobs.exists(orphan)).isFalse();
            assertThat(registry.http.bytes("kept/-/kept-1.0.0.tgz", null)).isNotNull();
        }
    }
}
