package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.airlock.platform.io.Spool;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry source over real HTTP: what it asks for, and that its token never leaves the registry's origin. */
class RegistrySourceTest {
    private final Map<String, String> authSeen = new ConcurrentHashMap<>();
    private final HttpServer registry = server();
    private final HttpServer elsewhere = server();
    private final String base = "http://127.0.0.1:" + registry.getAddress().getPort() + "/";
    private final String other = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/";

    @AfterEach
    void stop() {
        registry.stop(0);
        elsewhere.stop(0);
    }

    private HttpServer server() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            s.start();
            return s;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void serve(HttpServer server, String path, int status, String body, Map<String, String> headers) {
        server.createContext(path, ex -> {
            String origin = server == registry ? "registry" : "elsewhere";
            authSeen.put(
                    origin + " " + ex.getRequestURI().getRawPath(),
                    String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    private RegistrySource source(String token) throws IOException {
        Path spool = Files.createTempDirectory("spool");
        return new RegistrySource(URI.create(base), token, Duration.ofSeconds(5), spool);
    }

    @Test
    void readsAScopedPackumentAndSendsTheTokenToTheRegistryOnly() throws IOException {
        serve(registry, "/@acme", 200, """
                {"name":"@acme/widget","dist-tags":{"latest":"1.0.0"},
                 "time":{"created":"2015-03-01T10:00:00.000+00:00","1.0.0":"2015-03-02T10:00:00Z"},
                 "maintainers":[{"name":"ann","email":"a@x"}],"readme":"# widget",
                 "versions":{"1.0.0":{"name":"@acme/widget","version":"1.0.0","deprecated":"old",
                   "dist":{"tarball":"%s@acme/widget/-/widget-1.0.0.tgz"}},
                  "1.1.0":{"name":"@acme/widget","version":"1.1.0",
                   "dist":{"tarball":"%sredirect.tgz"}}}}
                """.formatted(other, base), Map.of());
        serve(elsewhere, "/@acme/widget/-/widget-1.0.0.tgz", 200, "tarball-bytes", Map.of());
        serve(registry, "/redirect.tgz", 302, "", Map.of("Location", other + "moved.tgz"));
        serve(elsewhere, "/moved.tgz", 200, "moved-bytes", Map.of());

        SourcePackage p = source("s3cret").load("@acme/widget");

        assertThat(p.distTags()).containsEntry("latest", "1.0.0");
        assertThat(p.createdAt())
                .isEqualTo(java.time.Instant.parse("2015-03-01T10:00:00Z").toEpochMilli());
        assertThat(p.maintainers()).containsExactly("ann");
        SourceVersion v1 = p.versions().get(0);
        assertThat(v1.deprecated()).isEqualTo("old");
        assertThat(v1.readme()).isEqualTo("# widget");
        assertThat(v1.publishedAt())
                .isEqualTo(java.time.Instant.parse("2015-03-02T10:00:00Z").toEpochMilli());
        try (Spool a = v1.tarball().fetch(1000);
                Spool b = p.versions().get(1).tarball().fetch(1000)) {
            assertThat(new String(a.bytes(), StandardCharsets.UTF_8)).isEqualTo("tarball-bytes");
            assertThat(new String(b.bytes(), StandardCharsets.UTF_8)).isEqualTo("moved-bytes");
        }
        assertThat(authSeen)
                .containsEntry("registry /@acme%2fwidget", "Bearer s3cret")
                .containsEntry("registry /redirect.tgz", "Bearer s3cret")
                .containsEntry("elsewhere /@acme/widget/-/widget-1.0.0.tgz", "null")
                .containsEntry("elsewhere /moved.tgz", "null");
    }

    @Test
    void saysWhatToDoWhenTheRegistryWantsATokenAndAnswersNullForAMissingPackage() throws IOException {
        serve(registry, "/private", 401, "{\"error\":\"auth\"}", Map.of());
        serve(registry, "/gone", 404, "{}", Map.of());

        assertThatThrownBy(() -> source(null).load("private"))
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("AIRLOCK_IMPORT_TOKEN");
        assertThatThrownBy(() -> source("bad").load("private")).hasMessageContaining("refused the token");
        assertThat(source(null).load("gone")).isNull();
    }

    @Test
    void aTarballLargerThanTheLimitIsNotReadOn() throws IOException {
        serve(registry, "/big", 200, """
                {"name":"big","versions":{"1.0.0":{"name":"big","version":"1.0.0",
                 "dist":{"tarball":"%sbig.tgz"}}}}""".formatted(base), Map.of());
        serve(registry, "/big.tgz", 200, "x".repeat(5000), Map.of());

        List<SourceVersion> versions = source(null).load("big").versions();

        assertThatThrownBy(() -> versions.get(0).tarball().fetch(4096)).hasMessageContaining("maxTarballBytes");
    }

    @Test
    void onlyHttpRegistriesAreAccepted() {
        assertThatThrownBy(
                        () -> new RegistrySource(URI.create("file:///etc/"), null, Duration.ofSeconds(1), Path.of(".")))
                .hasMessageContaining("http(s) URL");
    }
}
