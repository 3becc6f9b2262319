package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.io.Spool;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Files2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-made Verdaccio storages: what is broken in them is reported, never read past. */
class VerdaccioSourceTest {
    @TempDir
    Path tmp;

    Path storage() throws IOException {
        return Files.createDirectories(tmp.resolve("storage"));
    }

    static String packument(String name, String tarballUrl) {
        return """
                {"name":"%s","dist-tags":{"latest":"1.0.0"},
                 "time":{"created":"2020-01-02T03:04:05+02:00","1.0.0":"2020-01-02T01:04:06.5Z","1.1.0":"bogus"},
                 "maintainers":[{"name":"ann","email":"a@x"},"bob <b@x>"],
                 "versions":{
                   "1.0.0":{"name":"%s","version":"1.0.0","dist":{"tarball":"%s","shasum":"s","integrity":"i"}},
                   "1.1.0":{"name":"%s","version":"1.1.0","readme":"own readme","dist":{}}},
                 "readme":"top readme"}""".formatted(name, name, tarballUrl, name);
    }

    @Test
    void timesWithOffsetsMaintainersAndTheTarballNamedByItsUrl() throws IOException {
        Path s = storage();
        Files2.write(s.resolve("p/package.json"), packument("p", "http://h:4873/p/-/p-1.0.0-custom.tgz"));
        Files.write(s.resolve("p/p-1.0.0-custom.tgz"), "tgz bytes".getBytes(StandardCharsets.UTF_8));
        SourcePackage p = new VerdaccioSource(s).load("p");
        assertThat(p.createdAt())
                .isEqualTo(Instant.parse("2020-01-02T01:04:05Z").toEpochMilli());
        assertThat(p.maintainers()).containsExactly("ann", "bob");
        SourceVersion v1 = p.versions().get(0);
        SourceVersion v2 = p.versions().get(1);
        assertThat(v1.publishedAt())
                .isEqualTo(Instant.parse("2020-01-02T01:04:06.500Z").toEpochMilli());
        assertThat(v2.publishedAt()).as("an unreadable time is unknown").isNull();
        assertThat(v1.readme()).as("the latest gets the packument's readme").isEqualTo("top readme");
        assertThat(v2.readme()).isEqualTo("own readme");
        assertThat(v1.manifest().path("dist").path("integrity").asText()).isEqualTo("i");
        try (Spool spool = v1.tarball().fetch(100)) {
            assertThat(new String(spool.bytes(), StandardCharsets.UTF_8)).isEqualTo("tgz bytes");
        }
        // no tarball URL: NAME-VERSION.tgz, which is not there
        assertThatThrownBy(() -> v2.tarball().fetch(100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("p-1.1.0.tgz")
                .hasMessageContaining("is not in the Verdaccio storage");
    }

    @Test
    void aTarballUrlCannotNameAFileOutsideThePackageDirectory() {
        var manifest = Json.object();
        manifest.putObject("dist").put("tarball", "http://h/@s/p/-/..%2f..%2fetc%2fpasswd");
        assertThat(VerdaccioSource.tarballFile("@s/p", "1.0.0", manifest)).isEqualTo("p-1.0.0.tgz");
        manifest.putObject("dist").put("tarball", "http://h/@s/p/-/@s/p-1.0.0.tgz");
        assertThat(VerdaccioSource.tarballFile("@s/p", "1.0.0", manifest)).isEqualTo("p-1.0.0.tgz");
        manifest.putObject("dist").put("tarball", "not a url at all %%");
        assertThat(VerdaccioSource.tarballFile("@s/p", "1.0.0", manifest)).isEqualTo("p-1.0.0.tgz");
    }

    @Test
    void aPackumentThatIsNotJsonIsAnErrorNamingTheFile() throws IOException {
        Path s = storage();
        Path bad = Files2.write(s.resolve("@s/broken/package.json"), "{\"name\": \"@s/broken\", ");
        VerdaccioSource source = new VerdaccioSource(s);
        assertThat(source.names()).containsExactly("@s/broken");
        assertThatThrownBy(() -> source.load("@s/broken"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toRealPath().toString())
                .hasMessageContaining("not valid JSON");
        Files2.write(bad, packument("@s/other", "http://h/x.tgz"));
        assertThatThrownBy(() -> source.load("@s/broken"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is the packument of @s/other, not of @s/broken");
    }

    @Test
    void symbolicLinksOutOfTheStorageAreNeitherListedNorRead() throws IOException {
        Path s = storage();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files2.write(outside.resolve("evil/package.json"), packument("evil", "http://h/evil/-/evil-1.0.0.tgz"));
        Files2.write(outside.resolve("secret.tgz"), "secret");
        Files.createSymbolicLink(s.resolve("evil"), outside.resolve("evil"));
        Files2.write(s.resolve("ok/package.json"), packument("ok", "http://h/ok/-/ok-1.0.0.tgz"));
        Files.createSymbolicLink(s.resolve("ok/ok-1.0.0.tgz"), outside.resolve("secret.tgz"));
        Files2.write(s.resolve("inner/package.json"), packument("inner", "http://h/inner/-/inner-1.0.0.tgz"));
        Files2.write(s.resolve("inner/real.tgz"), "inside");
        Files.createSymbolicLink(s.resolve("inner/inner-1.0.0.tgz"), s.resolve("inner/real.tgz"));
        Files2.write(s.resolve(".verdaccio-db.json"), "{\"list\":[\"ok\"],\"secret\":\"x\"}");
        Files.createDirectories(s.resolve("empty-dir"));

        VerdaccioSource source = new VerdaccioSource(s);
        assertThat(source.names()).containsExactly("inner", "ok");
        assertThat(source.skipped()).singleElement().asString().contains("evil").contains("leads out of the storage");
        assertThat(source.localPackages()).containsExactly("ok");
        assertThatThrownBy(() -> source.load("evil"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside");
        SourceVersion linked = source.load("ok").versions().get(0);
        assertThatThrownBy(() -> linked.tarball().fetch(100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside");
        try (Spool inner = source.load("inner").versions().get(0).tarball().fetch(100)) {
            assertThat(new String(inner.bytes(), StandardCharsets.UTF_8)).isEqualTo("inside");
        }
        assertThat(source.load("../outside/evil")).isNull();
        assertThat(source.load(".verdaccio-db.json")).isNull();
    }
}
