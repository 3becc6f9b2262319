package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import dev.airlock.testing.Verdaccio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./airlock import} moves packages out of a real Verdaccio (published there with the real npm, one version
 * deprecated, an extra tag) into Airlock: from the running Verdaccio as a registry with a token, from its storage
 * directory once it has stopped, and from a directory of {@code npm pack} tarballs. Projects installed from Airlock
 * alone, with npm and pnpm, lock the same integrity as the project installed from Verdaccio.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> IDS = List.of("pad-x@1.0.0", "pad-x@1.1.0", "@acme/kit-x@2.0.0");

    @TempDir
    static Path tmp;

    static Verdaccio verdaccio;
    static String verdaccioToken;
    static final List<TestRegistry> REGISTRIES = new ArrayList<>();
    /** name → the packument Verdaccio served. */
    static final Map<String, JsonNode> SERVED = new LinkedHashMap<>();
    /** package → integrity in project A's package-lock.json (installed from Verdaccio). */
    static Map<String, String> lockA;

    @BeforeAll
    static void publishToVerdaccio() {
        verdaccio = Verdaccio.startPrivate().keepStorage();
        verdaccioToken = verdaccio.addUser("vera", "correct-horse-1");
        Npm npm = verdaccio.npm(tmp.resolve("vera"), verdaccioToken);
        ok(npm.run(pkg("pad-1.0.0", "pad-x", "1.0.0", ""), "publish"));
        ok(npm.run(pkg("pad-1.1.0", "pad-x", "1.1.0", ""), "publish"));
        ok(npm.run(pkg("kit-2.0.0", "@acme/kit-x", "2.0.0", "\"pad-x\":\"^1.0.0\""), "publish"));
        ok(npm.run(tmp, "dist-tag", "add", "pad-x@1.0.0", "legacy"));
        ok(npm.run(tmp, "deprecate", "pad-x@1.0.0", "use 1.1.0"));
        for (String dir : List.of("pad-1.0.0", "pad-1.1.0", "kit-2.0.0")) {
            ok(npm.run(
                    tmp.resolve(dir),
                    "pack",
                    "--pack-destination",
                    dir(tmp.resolve("packs")).toString()));
        }
        SERVED.put("pad-x", verdaccio.packument("pad-x", verdaccioToken));
        SERVED.put("@acme/kit-x", verdaccio.packument("@acme/kit-x", verdaccioToken));
        Path a = project(tmp.resolve("project-a"));
        ok(npm.run(a, "install"));
        lockA = npmLock(a);
        assertThat(lockA).containsOnlyKeys("pad-x", "@acme/kit-x");
    }

    @AfterAll
    static void stop() {
        REGISTRIES.forEach(TestRegistry::close);
        if (verdaccio != null) {
            verdaccio.close();
            Files2.deleteTree(verdaccio.storage);
        }
    }

    @Test
    @Order(1)
    void fromTheRunningVerdaccioWithAToken() {
        Path data = dir(tmp.resolve("from-registry"));
        // a wrong token: a clear error, exit 1, nothing stored
        Cli.Result wrong = airlockJar(
                Map.of("VERDACCIO_TOKEN", "not-the-token"),
                "import",
                "--registry",
                verdaccio.url(),
                "--token-env",
                "VERDACCIO_TOKEN",
                "--data",
                data.toString(),
                "pad-x");
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.stderr())
                .as(wrong.toString())
                .contains("refused pad-x")
                .contains("401");
        assertThat(wrong.stdout()).contains("Imported 0 version(s)");

        Cli.Result right = airlockJar(
                Map.of("VERDACCIO_TOKEN", verdaccioToken),
                "import",
                "--registry",
                verdaccio.url(),
                "--token-env",
                "VERDACCIO_TOKEN",
                "--data",
                data.toString(),
                "pad-x",
                "@acme/kit-x");
        assertThat(right.exit()).as(right.toString()).isZero();
        assertThat(right.stdout()).contains("Imported 3 version(s) of 2 package(s) from " + verdaccio.url());
        TestRegistry airlock = serve(data);
        assertSameAsVerdaccio(airlock, verdaccio.url());
    }

    @Test
    @Order(2)
    void fromTheStorageOfAStoppedVerdaccio() throws IOException {
        verdaccio.close(); // the storage is kept
        TestRegistry airlock = serve(dir(tmp.resolve("from-storage")));
        String storage = verdaccio.storage.toRealPath().toString();
        String first = airlock(airlock, "--verdaccio", storage, "--owner", "bea");
        assertThat(first).startsWith("exit=0").contains("Imported 3 version(s) of 2 package(s) from " + storage);
        assertSameAsVerdaccio(airlock, storage);

        // installs from Airlock alone lock what the install from Verdaccio locked, with npm and with pnpm
        String token = airlock.login("bea", "pass-word-bea-1");
        Npm npm = Npm.withToken(tmp.resolve("npm-b"), airlock.url(), token);
        Path b = project(tmp.resolve("project-b"));
        ok(npm.run(b, "install"));
        assertThat(npmLock(b)).isEqualTo(lockA);
        assertThat(pnpmLock(airlock, token)).isEqualTo(lockA);

        // npm view shows Verdaccio's time, deprecation and tags
        JsonNode view = json(ok(npm.run(tmp, "view", "pad-x@1.0.0", "--json")).stdout());
        assertThat(view.path("deprecated").asText()).isEqualTo("use 1.1.0");
        assertThat(view.path("dist-tags").path("legacy").asText()).isEqualTo("1.0.0");
        assertThat(view.path("dist-tags").path("latest").asText()).isEqualTo("1.1.0");
        assertThat(instant(view.path("time").path("1.0.0")))
                .isEqualTo(instant(SERVED.get("pad-x").path("time").path("1.0.0")));

        String again = airlock(airlock, "--verdaccio", storage);
        assertThat(again)
                .startsWith("exit=0")
                .contains("Imported 0 version(s) of 2 package(s)")
                .contains("(3 already present");
    }

    @Test
    @Order(3)
    void fromADirectoryOfTarballs() {
        Path packs = tmp.resolve("packs");
        Files2.write(packs.resolve("broken/garbage.tgz"), "not a tarball");
        TestRegistry airlock = serve(dir(tmp.resolve("from-tarballs")));
        String out = airlock(airlock, "--tarballs", packs.toString());
        // the garbage is reported and makes the run fail; everything else is imported
        assertThat(out)
                .startsWith("exit=1")
                .contains("Imported 3 version(s) of 2 package(s)")
                .contains("1 refused");
        assertThat(out).contains("skipped ").contains("garbage.tgz: ");
        for (String id : IDS) {
            String name = id.substring(0, id.lastIndexOf('@'));
            String version = id.substring(id.lastIndexOf('@') + 1);
            JsonNode v = airlock.http
                    .get(name.replace("/", "%2f"), null)
                    .json()
                    .path("versions")
                    .path(version);
            assertThat(v.path("dist").path("integrity").asText())
                    .as(id)
                    .isEqualTo(SERVED.get(name)
                            .path("versions")
                            .path(version)
                            .path("dist")
                            .path("integrity")
                            .asText());
            assertThat(v.path("scripts").path("test").asText()).as(id).isEqualTo("mocha");
        }
    }

    /** Every version with Verdaccio's integrity, time and tags, marked as imported from this source. */
    static void assertSameAsVerdaccio(TestRegistry airlock, String source) {
        for (String id : IDS) {
            String name = id.substring(0, id.lastIndexOf('@'));
            String version = id.substring(id.lastIndexOf('@') + 1);
            JsonNode ours = airlock.http.get(name.replace("/", "%2f"), null).json();
            JsonNode theirs = SERVED.get(name);
            JsonNode v = ours.path("versions").path(version);
            assertThat(v.path("dist").path("integrity").asText())
                    .as(id)
                    .isEqualTo(theirs.path("versions")
                            .path(version)
                            .path("dist")
                            .path("integrity")
                            .asText());
            assertThat(instant(ours.path("time").path(version)))
                    .as(id)
                    .isEqualTo(instant(theirs.path("time").path(version)));
            assertThat(v.path("airlock").path("method").asText()).as(id).isEqualTo("import");
            assertThat(v.path("airlock").path("importedBy").asText()).as(id).isNotEmpty();
            assertThat(v.path("airlock").path("source").asText()).as(id).isEqualTo(source);
            assertThat(ours.path("dist-tags")).as(name).isEqualTo(theirs.path("dist-tags"));
        }
        assertThat(airlock.http
                        .get("pad-x", null)
                        .json()
                        .path("versions")
                        .path("1.0.0")
                        .path("deprecated")
                        .asText())
                .isEqualTo("use 1.1.0");
    }

    /**
     * {@code ./airlock import ARGS} in-process on the registry's data directory, with no configuration of its own (the
     * packuments it writes must still name the serving registry's URL in their tarball links); what it printed on
     * stderr comes last.
     */
    static String airlock(TestRegistry airlock, String... args) {
        List<String> all = new ArrayList<>(List.of("import", "--data", airlock.dataDir.toString()));
        all.addAll(List.of(args));
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            return AirlockCommand.run("", all.toArray(String[]::new)) + buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(err);
        }
    }

    static TestRegistry serve(Path data) {
        TestRegistry r = TestRegistry.startOn(data, new MutableClock());
        REGISTRIES.add(r);
        r.addUser("bea", "pass-word-bea-1");
        return r;
    }

    /** pnpm installs the project from Airlock; package → integrity in pnpm-lock.yaml. */
    static Map<String, String> pnpmLock(TestRegistry airlock, String token) {
        Path dir = tmp.resolve("pnpm");
        Path project = project(dir.resolve("project"));
        Files2.write(
                project.resolve(".npmrc"),
                "registry=" + airlock.url() + "\n" + airlock.url().replaceFirst("^http:", "") + ":_authToken=" + token
                        + "\n");
        Files2.write(project.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
        Map<String, String> env = Cli.baseEnv(dir.resolve("home"));
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("xdg-cache").toString());
        env.put("XDG_DATA_HOME", dir.resolve("xdg-data").toString());
        env.put("XDG_STATE_HOME", dir.resolve("xdg-state").toString());
        ok(Cli.run(
                project,
                env,
                List.of(
                        Clients.pnpm().toString(),
                        "install",
                        "--no-frozen-lockfile",
                        "--store-dir=" + dir.resolve("store"),
                        "--reporter=append-only"),
                Map.<String, String>of(),
                180));
        Map<String, String> lock = new LinkedHashMap<>();
        try {
            new YAMLMapper()
                    .readTree(project.resolve("pnpm-lock.yaml").toFile())
                    .path("packages")
                    .properties()
                    .forEach(e -> lock.put(
                            e.getKey().substring(0, e.getKey().lastIndexOf('@')),
                            e.getValue().path("resolution").path("integrity").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lock;
    }

    /** package → integrity in package-lock.json. */
    static Map<String, String> npmLock(Path project) {
        Map<String, String> lock = new LinkedHashMap<>();
        json(Files2.read(project.resolve("package-lock.json")))
                .path("packages")
                .properties()
                .forEach(e -> {
                    if (!e.getKey().isEmpty()) {
                        lock.put(
                                e.getKey().replaceFirst("^.*node_modules/", ""),
                                e.getValue().path("integrity").asText());
                    }
                });
        return lock;
    }

    /** The shaded jar as an operator runs it, with these environment variables. */
    static Cli.Result airlockJar(Map<String, String> extraEnv, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                Path.of("target/airlock.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(dev.airlock.testing.AirlockCommand.onTestDatabase(args)));
        Map<String, String> env = Cli.baseEnv(tmp.resolve("operator"));
        env.putAll(extraEnv);
        return Cli.run(tmp, env, cmd, Map.<String, String>of(), 120);
    }

    static Path project(Path dir) {
        Files2.write(
                dir.resolve("package.json"),
                "{\"name\":\"consumer\",\"version\":\"1.0.0\",\"private\":true,"
                        + "\"dependencies\":{\"@acme/kit-x\":\"2.0.0\",\"pad-x\":\"1.1.0\"}}\n");
        return dir;
    }

    static Path pkg(String dir, String name, String version, String deps) {
        Path d = tmp.resolve(dir);
        Files2.write(
                d.resolve("package.json"),
                "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"main\":\"index.js\","
                        + "\"scripts\":{\"test\":\"node_modules/.bin/mocha\"},\"dependencies\":{" + deps + "}}");
        Files2.write(d.resolve("index.js"), "module.exports = '" + name + "@" + version + "';\n");
        Files2.write(d.resolve("README.md"), "# " + name + "\n");
        return d;
    }

    static Path dir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Instant instant(JsonNode iso) {
        return Instant.parse(iso.asText());
    }
}
