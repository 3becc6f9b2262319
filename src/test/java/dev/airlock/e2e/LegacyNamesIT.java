package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditEvent;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names npm accepts only for packages that already exist — a Node.js core module name ({@code punycode}) and capitals
 * ({@code JSONStream}), the real names: this registry is isolated — are refused for new packages with a message
 * saying how to proceed, published with the real npm after {@code ./airlock names allow}, take further versions
 * without an allowance, and install with npm, pnpm, yarn berry, yarn classic and bun with the integrity Airlock serves.
 */
class LegacyNamesIT {
    static TestRegistry registry;
    static String token;
    static Npm alice;
    static final Map<String, InstallClientsIT.Dist> DIST = new LinkedHashMap<>();
    static final List<String> PACKAGES = List.of("JSONStream@1.0.0", "punycode@1.0.1");

    @TempDir
    static Path tmp;

    @BeforeAll
    static void publish() {
        registry = TestRegistry.start();
        token = registry.userWithToken("alice");
        alice = Npm.withToken(tmp.resolve("alice-home"), registry.url(), token);
        String data = registry.dataDir.toString();

        // Without an allowance: refused, and npm shows what to do.
        fails(
                alice.run(punycode("1.0.0"), "publish"),
                "punycode is a Node.js core module name: npm allows it only for"
                        + " packages that already exist. An administrator can allow it with ./airlock names allow punycode.");
        fails(
                alice.run(jsonStream(), "publish"),
                "JSONStream contains capital letters: npm allows it only for packages"
                        + " that already exist. An administrator can allow it with ./airlock names allow JSONStream.");
        // staging follows the same rule
        fails(alice.run(punycode("1.0.0"), "stage", "publish"), "./airlock names allow punycode.");

        String allowed = AirlockCommand.run("", "names", "allow", "punycode", "JSONStream", "--data", data);
        assertThat(allowed)
                .contains("exit=0")
                .contains("Allowed punycode (punycode is a Node.js core module name)")
                .contains("Allowed JSONStream (JSONStream contains capital letters)");
        assertThat(AirlockCommand.run("", "names", "allow", "punycode", "--data", data))
                .contains("exit=0")
                .contains("Already allowed punycode");
        assertThat(AirlockCommand.run("", "names", "allow", "../etc", "--data", data))
                .contains("exit=1")
                .contains("Invalid package name \"../etc\"");
        assertThat(AirlockCommand.run("", "names", "list", "--data", data))
                .contains("exit=0")
                .containsPattern("JSONStream\t@cli\t\\d{4}-")
                .containsPattern("punycode\t@cli\t\\d{4}-")
                .contains("2 allowed name(s)");

        ok(alice.run(punycode("1.0.0"), "publish"));
        ok(alice.run(jsonStream(), "publish"));

        // The package exists now: a further version needs no allowance.
        assertThat(AirlockCommand.run("", "names", "revoke", "punycode", "--data", data))
                .contains("exit=0")
                .contains("Revoked the allowance for punycode");
        assertThat(AirlockCommand.run("", "names", "revoke", "punycode", "--data", data))
                .contains("exit=1")
                .contains("punycode is not an allowed name");
        ok(alice.run(punycode("1.0.1"), "publish"));
        // ... but another new package still does, and so does a name differing only in case from an existing one.
        fails(
                alice.run(
                        pkg("events", "{\"name\":\"events\",\"version\":\"1.0.0\"}", "module.exports = 1;\n"),
                        "publish"),
                "events is a Node.js core module name");
        fails(
                alice.run(
                        pkg("jsonstream", "{\"name\":\"jsonstream\",\"version\":\"1.0.0\"}", "module.exports = 1;\n"),
                        "publish"),
                "jsonstream differs only in case from the existing package JSONStream, which makes them easy to confuse."
                        + " An administrator can allow it with ./airlock names allow jsonstream.");

        List<String> audited = registry.airlock.audit.all().stream()
                .map(e -> e.action() + " " + e.target())
                .toList();
        assertThat(audited)
                .contains(
                        "name.allow package:punycode", "name.allow package:JSONStream", "name.revoke package:punycode");
        assertThat(registry.airlock.audit.all().stream()
                        .filter(e -> e.action().equals("name.allow"))
                        .map(AuditEvent::actor))
                .containsOnly("@cli (cli)");

        for (String id : PACKAGES) {
            DIST.put(id, dist(id));
        }
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static Path punycode(String version) {
        return pkg(
                "punycode-" + version,
                "{\"name\":\"punycode\",\"version\":\"" + version + "\",\"main\":\"index.js\"}",
                "module.exports = 'punycode from Airlock " + version + "';\n");
    }

    static Path jsonStream() {
        return pkg(
                "JSONStream",
                "{\"name\":\"JSONStream\",\"version\":\"1.0.0\",\"main\":\"index.js\","
                        + "\"dependencies\":{\"punycode\":\"^1.0.0\"}}",
                "module.exports = 'JSONStream>' + require('punycode/');\n");
    }

    static Path pkg(String dir, String packageJson, String index) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        Files2.write(d.resolve("package.json"), packageJson);
        Files2.write(d.resolve("index.js"), index);
        return d;
    }

    static InstallClientsIT.Dist dist(String id) {
        String name = id.substring(0, id.lastIndexOf('@'));
        String version = id.substring(id.lastIndexOf('@') + 1);
        JsonNode dist = registry.http
                .get(name, null)
                .json()
                .path("versions")
                .path(version)
                .path("dist");
        String tarball = dist.path("tarball").asText();
        assertThat(tarball).isEqualTo(registry.url() + name + "/-/" + name + "-" + version + ".tgz");
        byte[] bytes = registry.http.bytes(tarball.substring(registry.url().length()), null);
        String integrity = "sha512-" + Base64.getEncoder().encodeToString(InstallClientsIT.digest("SHA-512", bytes));
        assertThat(dist.path("integrity").asText()).as(id).isEqualTo(integrity);
        assertThat(dist.path("shasum").asText())
                .as(id)
                .isEqualTo(HexFormat.of().formatHex(InstallClientsIT.digest("SHA-1", bytes)));
        return new InstallClientsIT.Dist(integrity, dist.path("shasum").asText(), tarball);
    }

    @Test
    void readPaths() {
        JsonNode corgi = registry.http
                .get("JSONStream", null, "Accept", "application/vnd.npm.install-v1+json")
                .json();
        assertThat(corgi.path("name").asText()).isEqualTo("JSONStream");
        assertThat(corgi.path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
        assertThat(registry.http
                        .get("JSONStream/1.0.0", null)
                        .json()
                        .path("dependencies")
                        .path("punycode")
                        .asText())
                .isEqualTo("^1.0.0");
        assertThat(registry.http
                        .get("-/package/punycode/dist-tags", null)
                        .json()
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.1");
        // names differ by case: the lowercase spelling is another (absent) package
        assertThat(registry.http.get("jsonstream", null).status()).isEqualTo(404);
        assertThat(registry.http
                        .get("-/v1/search?text=JSONStream", null)
                        .json()
                        .path("objects")
                        .path(0)
                        .path("package")
                        .path("name")
                        .asText())
                .isEqualTo("JSONStream");
        // names npm refuses even for existing packages stay refused
        for (String bad : List.of("..", "%2e%2e", ".hidden", "_under", "node_modules", "@acme%2f..", "a%2fb%2fc")) {
            assertThat(registry.http.get(bad, null).status()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void npmViewAndInstall() {
        Path dir = tmp.resolve("npm");
        assertThat(ok(alice.run(tmp, "view", "JSONStream", "version")).stdout().trim())
                .isEqualTo("1.0.0");
        assertThat(ok(alice.run(tmp, "view", "punycode", "dist-tags.latest"))
                        .stdout()
                        .trim())
                .isEqualTo("1.0.1");
        Path project = consumer(dir.resolve("project"));
        ok(alice.run(project, "install"));
        assertInstalled(project);
        JsonNode lock = dev.airlock.platform.json.Json.parse(Files2.read(project.resolve("package-lock.json")));
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            JsonNode entry = lock.path("packages").path("node_modules/" + name);
            assertThat(entry.path("resolved").asText())
                    .as(id)
                    .isEqualTo(DIST.get(id).tarball());
            assertThat(entry.path("integrity").asText())
                    .as(id)
                    .isEqualTo(DIST.get(id).integrity());
        }
    }

    @Test
    void pnpm() {
        Path dir = tmp.resolve("pnpm");
        Path project = consumer(dir.resolve("project"));
        Files2.write(project.resolve(".npmrc"), "registry=" + registry.url() + "\n");
        Files2.write(project.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
        ok(InstallClientsIT.run(
                project,
                InstallClientsIT.pnpmEnv(dir),
                InstallClientsIT.pnpm(
                        List.of(
                                "--store-dir=" + dir.resolve("store"),
                                "--cache-dir=" + dir.resolve("cache"),
                                "--reporter=append-only"),
                        "install",
                        "--no-frozen-lockfile")));
        assertInstalled(project);
        JsonNode packages = InstallClientsIT.yaml(Files2.read(project.resolve("pnpm-lock.yaml")))
                .path("packages");
        for (String id : PACKAGES) {
            assertThat(packages.path(id).path("resolution").path("integrity").asText())
                    .as(id)
                    .isEqualTo(DIST.get(id).integrity());
        }
    }

    @Test
    void yarnBerry() {
        Path dir = tmp.resolve("berry");
        Path project = consumer(dir.resolve("project"));
        Files2.write(
                project.resolve(".yarnrc.yml"),
                "npmRegistryServer: \"" + registry.url().replaceFirst("/$", "") + "\"\n"
                        + "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\nenableGlobalCache: false\nnodeLinker: node-modules\n"
                        + "enableTelemetry: false\nenableImmutableInstalls: false\nnpmMinimalAgeGate: 0\n");
        ok(InstallClientsIT.run(
                project, InstallClientsIT.berryEnv(dir), InstallClientsIT.node(Clients.yarnBerry(), "install")));
        assertInstalled(project);
        JsonNode entries = InstallClientsIT.yaml(Files2.read(project.resolve("yarn.lock")));
        String cacheKey = entries.path("__metadata").path("cacheKey").asText();
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            String version = id.substring(id.lastIndexOf('@') + 1);
            JsonNode entry = entries.path(name + "@npm:^1.0.0");
            assertThat(entry.path("resolution").asText()).as(id).isEqualTo(name + "@npm:" + version);
            // berry's checksum is of the zip it repacks Airlock's tarball into (see InstallClientsIT)
            Path zip = InstallClientsIT.cachedZip(dir.resolve("cache"), name, version);
            assertThat(entry.path("checksum").asText())
                    .as(id)
                    .isEqualTo(cacheKey + "/" + InstallClientsIT.sha512Hex(zip));
        }
        InstallClientsIT.wipe(project.resolve("node_modules"), dir.resolve("cache"));
        ok(InstallClientsIT.run(
                project,
                InstallClientsIT.berryEnv(dir),
                InstallClientsIT.node(Clients.yarnBerry(), "install", "--immutable", "--check-cache")));
        assertInstalled(project);
    }

    @Test
    void yarnClassic() {
        Path dir = tmp.resolve("classic");
        Path project = consumer(dir.resolve("project"));
        Files2.write(project.resolve(".yarnrc"), "registry \"" + registry.url() + "\"\n");
        ok(InstallClientsIT.run(
                project,
                Cli.baseEnv(InstallClientsIT.home(dir)),
                InstallClientsIT.classic(
                        List.of(
                                "--registry",
                                registry.url(),
                                "--cache-folder",
                                dir.resolve("cache").toString(),
                                "--non-interactive",
                                "--no-progress"),
                        "install")));
        assertInstalled(project);
        Map<String, Map<String, String>> entries =
                InstallClientsIT.classicLock(Files2.read(project.resolve("yarn.lock")));
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            Map<String, String> entry = entries.get(name + "@^1.0.0");
            assertThat(entry).as(id).isNotNull();
            assertThat(entry.get("resolved"))
                    .as(id)
                    .isEqualTo(DIST.get(id).tarball() + "#" + DIST.get(id).shasum());
            assertThat(entry.get("integrity")).as(id).isEqualTo(DIST.get(id).integrity());
        }
    }

    @Test
    void bun() {
        Path dir = tmp.resolve("bun");
        Path project = consumer(dir.resolve("project"));
        Files2.write(project.resolve("bunfig.toml"), "[install]\nregistry = { url = \"" + registry.url() + "\" }\n");
        ok(InstallClientsIT.run(
                project, InstallClientsIT.bunEnv(dir), List.of(Clients.bun().toString(), "install", "--no-progress")));
        assertInstalled(project);
        JsonNode packages =
                InstallClientsIT.jsonc(Files2.read(project.resolve("bun.lock"))).path("packages");
        for (String id : PACKAGES) {
            JsonNode entry = packages.path(id.substring(0, id.lastIndexOf('@')));
            assertThat(entry.path(0).asText()).as(id).isEqualTo(id);
            assertThat(entry.path(1).asText()).as(id).isEqualTo(DIST.get(id).tarball());
            assertThat(entry.path(3).asText()).as(id).isEqualTo(DIST.get(id).integrity());
        }
    }

    static Path consumer(Path dir) {
        Files2.write(
                dir.resolve("package.json"),
                "{\"name\":\"consumer\",\"version\":\"1.0.0\",\"private\":true,"
                        + "\"dependencies\":{\"JSONStream\":\"^1.0.0\",\"punycode\":\"^1.0.0\"}}\n");
        return dir;
    }

    /** Node prefers its core module for require('punycode'); 'punycode/' (as punycode's README says) is the package. */
    static void assertInstalled(Path project) {
        assertThat(project.resolve("node_modules/JSONStream/package.json")).exists();
        Cli.Result r = ok(Cli.run(
                project,
                Cli.baseEnv(project),
                List.of("node", "-e", "console.log(require('JSONStream') + '|' + require('punycode/'))"),
                Map.<String, String>of(),
                30));
        assertThat(r.stdout().trim()).isEqualTo("JSONStream>punycode from Airlock 1.0.1|punycode from Airlock 1.0.1");
    }
}
