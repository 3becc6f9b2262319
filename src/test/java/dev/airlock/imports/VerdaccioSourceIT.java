package dev.airlock.imports;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Verdaccio;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage directory written by the real Verdaccio (two versions of an unscoped package, one of a scoped one, an
 * extra dist-tag and a deprecation, all done with the real npm), read back with {@link VerdaccioSource} after
 * Verdaccio stopped: the same versions, integrity, tags, deprecation and times Verdaccio served while it ran.
 */
class VerdaccioSourceIT {
    @TempDir
    static Path tmp;

    static Path storage;
    /** name → the packument Verdaccio served. */
    static final Map<String, JsonNode> SERVED = new HashMap<>();

    @BeforeAll
    static void publishToVerdaccio() {
        try (Verdaccio verdaccio = Verdaccio.start().keepStorage()) {
            storage = verdaccio.storage;
            Npm npm = verdaccio.npm(tmp.resolve("npm-home"), verdaccio.addUser("vera", "correct-horse-1"));
            ok(npm.run(pkg("widget-a", "widget-v", "1.0.0", "# Widget\n\nSmall parts.\n"), "publish"));
            ok(npm.run(pkg("widget-b", "widget-v", "1.1.0", "# Widget 1.1\n"), "publish"));
            // the same package packed: a tarball directory must describe it as npm published it
            ok(npm.run(tmp.resolve("widget-b"), "pack", "--pack-destination", packs().toString()));
            ok(npm.run(pkg("gadget", "@acme/gadget-v", "2.0.0-rc.1", null), "publish", "--tag", "beta"));
            ok(npm.run(tmp, "dist-tag", "add", "widget-v@1.0.0", "next"));
            ok(npm.run(tmp, "deprecate", "widget-v@1.0.0", "use 1.1.0"));
            SERVED.put("widget-v", verdaccio.packument("widget-v"));
            SERVED.put("@acme/gadget-v", verdaccio.packument("@acme/gadget-v"));
        }
    }

    static Path packs() {
        try {
            return Files.createDirectories(tmp.resolve("packs"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aTarballFromNpmPackIsDescribedAsNpmPublishedIt() throws IOException {
        TarballDirectorySource source =
                new TarballDirectorySource(packs(), new TarballReader.Limits(50_000_000, 10_000));
        assertThat(source.skipped()).isEmpty();
        SourceVersion packed = source.load("widget-v").versions().get(0);
        JsonNode published = SERVED.get("widget-v").path("versions").path("1.1.0");
        for (String field : new String[] {"name", "version", "main", "scripts", "_id", "readmeFilename"}) {
            assertThat(packed.manifest().get(field)).as(field).isEqualTo(published.get(field));
        }
        assertThat(packed.manifest().path("scripts").path("test").asText()).isEqualTo("mocha");
        for (String field : new String[] {"integrity", "shasum"}) {
            assertThat(packed.manifest().path("dist").path(field).asText())
                    .as(field)
                    .isEqualTo(published.path("dist").path(field).asText());
        }
        assertThat(packed.readme()).isEqualTo("# Widget 1.1\n");
        assertThat(packed.manifest().path("dist").path("fileCount").asInt()).isEqualTo(3);
    }

    @AfterAll
    static void removeStorage() {
        Files2.deleteTree(storage);
    }

    static Path pkg(String dir, String name, String version, String readme) {
        Path d = tmp.resolve(dir);
        Files2.write(
                d.resolve("package.json"),
                "{\"name\":\"" + name + "\",\"version\":\"" + version
                        + "\",\"main\":\"index.js\",\"scripts\":{\"test\":\"node_modules/.bin/mocha\"}}");
        Files2.write(d.resolve("index.js"), "module.exports = '" + name + "@" + version + "';\n");
        if (readme != null) {
            Files2.write(d.resolve("README.md"), readme);
        }
        return d;
    }

    @Test
    void namesAreThePackageDirectoriesScopedOnesWithTheirScope() throws IOException {
        VerdaccioSource source = new VerdaccioSource(storage);
        assertThat(source.names()).containsExactly("@acme/gadget-v", "widget-v");
        assertThat(source.localPackages()).containsExactlyInAnyOrder("widget-v", "@acme/gadget-v");
        assertThat(source.skipped()).isEmpty();
        assertThat(source.kind()).isEqualTo("verdaccio");
        assertThat(source.describe()).isEqualTo(storage.toRealPath().toString());
        assertThat(source.load("not-there")).isNull();
        assertThat(source.load("@acme/not-there")).isNull();
    }

    @Test
    void versionsTagsTimesAndDeprecationAreWhatVerdaccioServed() throws IOException {
        SourcePackage p = new VerdaccioSource(storage).load("widget-v");
        JsonNode served = SERVED.get("widget-v");
        assertThat(p.name()).isEqualTo("widget-v");
        assertThat(p.versions()).extracting(SourceVersion::version).containsExactly("1.0.0", "1.1.0");
        assertThat(p.distTags()).containsExactlyInAnyOrderEntriesOf(Map.of("latest", "1.1.0", "next", "1.0.0"));
        assertThat(p.createdAt()).isEqualTo(millis(served.path("time").path("created")));
        for (SourceVersion v : p.versions()) {
            JsonNode servedVersion = served.path("versions").path(v.version());
            assertThat(v.manifest().path("dist").path("integrity").asText())
                    .isEqualTo(servedVersion.path("dist").path("integrity").asText())
                    .startsWith("sha512-");
            assertThat(v.manifest().path("dist").path("shasum").asText())
                    .isEqualTo(servedVersion.path("dist").path("shasum").asText());
            assertThat(v.publishedAt())
                    .isEqualTo(millis(served.path("time").path(v.version())))
                    .isNotNull();
            // npm normalised the script before publishing; the stored manifest is what npm sent
            assertThat(v.manifest().path("scripts").path("test").asText()).isEqualTo("mocha");
            // the tarball's bytes hash to the integrity Verdaccio recorded
            try (Spool s = v.tarball().fetch(10_000_000)) {
                assertThat(sri(s))
                        .isEqualTo(servedVersion.path("dist").path("integrity").asText());
            }
        }
        SourceVersion old = p.versions().get(0);
        assertThat(old.deprecated()).isEqualTo("use 1.1.0");
        assertThat(p.versions().get(1).deprecated()).isNull();
        // Verdaccio keeps one readme, the latest's, at the top of the packument
        assertThat(p.versions().get(1).readme()).isEqualTo("# Widget 1.1\n");
    }

    @Test
    void aScopedTarballIsStoredWithoutItsScopeAndFoundByItsUrl() throws IOException {
        SourcePackage p = new VerdaccioSource(storage).load("@acme/gadget-v");
        JsonNode served = SERVED.get("@acme/gadget-v");
        // Verdaccio also sets latest on a package's first publish, whatever tag npm sent
        assertThat(p.distTags())
                .containsExactlyInAnyOrderEntriesOf(Map.of("beta", "2.0.0-rc.1", "latest", "2.0.0-rc.1"));
        assertThat(Files.exists(storage.resolve("@acme/gadget-v/gadget-v-2.0.0-rc.1.tgz")))
                .isTrue();
        SourceVersion v = p.versions().get(0);
        try (Spool s = v.tarball().fetch(10_000_000)) {
            assertThat(sri(s))
                    .isEqualTo(served.path("versions")
                            .path("2.0.0-rc.1")
                            .path("dist")
                            .path("integrity")
                            .asText());
        }
        // npm publishes this when a package has no readme; Verdaccio keeps it as sent
        assertThat(v.readme()).isEqualTo("ERROR: No README data found!");
        // a limit below the tarball's size is refused, naming the limit
        assertThatThrownBy(() -> v.tarball().fetch(10))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("larger than the limit of 10 bytes");
    }

    static Long millis(JsonNode iso) {
        return Instant.parse(iso.asText()).toEpochMilli();
    }

    static String sri(Spool s) throws IOException {
        try (InputStream in = s.open()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-512");
            sha.update(in.readAllBytes());
            return "sha512-" + Base64.getEncoder().encodeToString(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
