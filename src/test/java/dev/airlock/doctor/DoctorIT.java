package dev.airlock.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry serves airlock-doctor, and {@code npx --registry <airlock> airlock-doctor} run by the real npm 11.19.1
 * on fixture machines (their own HOME, userconfig and globalconfig, configured with npm's own config commands) is
 * clean where nothing is wrong and flags each hardening gap, exiting non-zero on CI, without printing a token.
 */
class DoctorIT {
    static TestRegistry registry;
    static String session;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        var report = BundledDoctor.publish(
                registry.airlock.imports, new TarballReader.Limits(1 << 26, 10_000), registry.dataDir.resolve("tmp"));
        assertThat(report.refused()).isEmpty();
        session = registry.userWithToken("dora");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** A fixture machine: HOME with .npmrc and an empty global npmrc, and a project directory. */
    record Machine(Path home, Path project) {
        Path userconfig() {
            return home.resolve(".npmrc");
        }

        Path globalconfig() {
            return home.resolve("global-npmrc");
        }
    }

    static Machine machine(String name) {
        Path home = tmp.resolve(name).resolve("home");
        Path project = tmp.resolve(name).resolve("project");
        Files2.write(home.resolve("global-npmrc"), "");
        Files2.write(home.resolve(".npmrc"), "");
        Files2.write(project.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"1.0.0\"}");
        return new Machine(home, project);
    }

    static Map<String, String> env(Machine m) {
        Map<String, String> env = new HashMap<>(Cli.baseEnv(m.home()));
        // only the system's node and npm: no pnpm, yarn or bun on this machine
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("npm_config_userconfig", m.userconfig().toString());
        env.put("npm_config_globalconfig", m.globalconfig().toString());
        env.put("npm_config_cache", m.home().resolve("cache").toString());
        env.put("npm_config_update_notifier", "false");
        return env;
    }

    static Cli.Result npm(Machine m, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node", Clients.npmCli().toString()));
        cmd.addAll(List.of(args));
        Cli.Result r = Cli.run(m.project(), env(m), cmd, Map.of(), 120);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /** npx --registry <airlock> airlock-doctor ARGS, in the project, as on CI. */
    static Cli.Result doctor(Machine m, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "node",
                Clients.root().resolve("node_modules/npm/bin/npx-cli.js").toString(),
                "--yes",
                // past the machine's own release-age cooldown (docs/doctor.md): the served doctor is new
                "--before=2999-01-01",
                "--registry",
                registry.url(),
                "airlock-doctor"));
        cmd.addAll(List.of(args));
        return Cli.run(m.project(), env(m), cmd, Map.of(), 180);
    }

    static JsonNode json(Cli.Result r) throws Exception {
        JsonNode report = new ObjectMapper().readTree(r.stdout());
        assertThat(report.path("findings").isArray()).as(r.toString()).isTrue();
        return report;
    }

    static List<String> ids(JsonNode report, String severity) {
        List<String> out = new ArrayList<>();
        report.path("findings").forEach(f -> {
            if (severity == null || severity.equals(f.path("severity").asText())) {
                out.add(f.path("id").asText());
            }
        });
        return out;
    }

    /** The hardened settings, written with npm config set at the user level. */
    static void harden(Machine m) {
        npm(m, "config", "set", "registry=" + registry.url(), "--location=user");
        npm(m, "config", "set", "ignore-scripts=true", "--location=user");
        npm(m, "config", "set", "min-release-age=3", "--location=user");
        for (String k : List.of("allow-git", "allow-remote", "allow-file", "allow-directory")) {
            npm(m, "config", "set", k + "=root", "--location=user");
        }
    }

    @Test
    void aHardenedMachineIsCleanOnCi() throws Exception {
        Machine m = machine("clean");
        harden(m);
        Cli.Result r = doctor(m, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode report = json(r);
        assertThat(report.path("ci").asBoolean()).isTrue();
        assertThat(ids(report, "warn")).isEmpty();
        assertThat(ids(report, "error")).isEmpty();
        assertThat(report.path("clients").path("npm").asText()).isEqualTo("11.19.1");
        Cli.Result human = doctor(m);
        assertThat(human.exit()).as(human.toString()).isZero();
        assertThat(human.stdout()).contains("0 error(s), 0 warning(s)");
    }

    @Test
    void eachGapIsFlaggedWithItsFixAndCiFails() throws Exception {
        Machine m = machine("gaps");
        npm(m, "config", "set", "registry=" + registry.url(), "--location=user");
        npm(m, "config", "set", "strict-ssl=false", "--location=user");
        npm(m, "config", "set", "@evil:registry=http://registry.example.com/", "--location=project");
        npm(m, "config", "set", "cafile=/etc/ssl/certs/ca-certificates.crt", "--location=user");
        npm(m, "config", "set", "allow-git=all", "--location=project");
        Files2.write(
                m.userconfig(),
                Files2.read(m.userconfig()) + "//registry.example.com/:_auth=ZG9yYTpkb3JhLXBhc3N3b3Jk\n");
        Files2.write(m.project().resolve("package-lock.json"), """
                {"name":"gaps","lockfileVersion":3,"packages":{
                  "":{"name":"gaps"},
                  "node_modules/left-pad":{"version":"1.3.0","resolved":"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"},
                  "node_modules/ours":{"version":"1.0.0","resolved":"%s/ours/-/ours-1.0.0.tgz"},
                  "node_modules/forked":{"version":"1.0.0","resolved":"git+ssh://git@github.com/x/forked.git#abc"},
                  "node_modules/remote":{"version":"1.0.0","resolved":"https://example.com/remote.tgz"}}}
                """.formatted(
                        registry.url().replaceAll("/$", "")));
        Cli.Result r = doctor(m, "--json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        JsonNode report = json(r);
        assertThat(ids(report, "error")).contains("strict-ssl", "registry-http", "legacy-auth");
        assertThat(ids(report, "warn"))
                .contains(
                        "ignore-scripts",
                        "cooldown",
                        "allow-git",
                        "allow-remote",
                        "allow-file",
                        "allow-directory",
                        "lockfile-registry",
                        "lockfile-git",
                        "lockfile-url");
        assertThat(ids(report, "info")).contains("custom-ca");
        String text = r.stdout();
        assertThat(text).doesNotContain("ZG9yYTpkb3JhLXBhc3N3b3Jk");
        for (JsonNode f : report.path("findings")) {
            if (f.path("id").asText().equals("allow-git")) {
                assertThat(f.path("where").asText()).isEqualTo(m.project().resolve(".npmrc") + ":2");
            }
            if (f.path("id").asText().equals("lockfile-registry")) {
                assertThat(f.path("message").asText()).contains("left-pad").doesNotContain("ours");
            }
        }
        // a human reads one line per finding with its fix; off CI only errors fail
        Map<String, String> offCi = env(m);
        offCi.put("CI", "false");
        List<String> cmd = List.of(
                "node",
                Clients.root().resolve("node_modules/npm/bin/npx-cli.js").toString(),
                "--yes",
                "--before=2999-01-01",
                "--registry",
                registry.url(),
                "airlock-doctor",
                "--fail-on=never");
        Cli.Result human = Cli.run(m.project(), offCi, cmd, Map.of(), 180);
        assertThat(human.exit()).as(human.toString()).isZero();
        assertThat(human.stdout())
                .contains("ERROR strict-ssl: npm does not verify TLS certificates [" + m.userconfig() + ":2] Fix:");
    }

    @Test
    void aBypassTokenOnDiskIsFlaggedAndNeverPrinted() throws Exception {
        Machine m = machine("tokens");
        harden(m);
        Http.Response created = registry.http.post(
                "-/npm/v1/tokens", session, "{\"password\":\"dora-password\",\"bypass_2fa\":true,\"name\":\"ci\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String bypass = created.json().path("token").asText();
        String hostPath = registry.url().replaceFirst("^http:", "");
        npm(m, "config", "set", hostPath + ":_authToken=" + bypass, "--location=user");
        Cli.Result r = doctor(m, "--json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.all()).doesNotContain(bypass).doesNotContain(bypass.substring(0, 10));
        JsonNode report = json(r);
        JsonNode finding = null;
        for (JsonNode f : report.path("findings")) {
            if (f.path("id").asText().equals("bypass-token")) {
                finding = f;
            }
        }
        assertThat(finding).as(r.stdout()).isNotNull();
        assertThat(finding.path("severity").asText()).isEqualTo("error");
        assertThat(finding.path("where").asText()).startsWith(m.userconfig().toString() + ":");
        assertThat(finding.path("message").asText()).contains("dora");
        Cli.Result human = doctor(m);
        assertThat(human.all()).doesNotContain(bypass.substring(0, 10));
        assertThat(human.stdout()).contains("ERROR bypass-token");

        // a read-only token is a warning; a registry that is not an Airlock says so
        Http.Response ro = registry.http.post(
                "-/npm/v1/tokens",
                session,
                "{\"password\":\"dora-password\",\"packages_all\":true,\"packages_and_scopes_permission\":\"read-only\"}");
        npm(
                m,
                "config",
                "set",
                hostPath + ":_authToken=" + ro.json().path("token").asText(),
                "--location=user");
        npm(m, "config", "set", hostPath + "elsewhere/:_authToken=npm_someoneelses", "--location=user");
        // a registry that is not an Airlock answers 404 to the introspection
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        other.start();
        String otherHost = "//127.0.0.1:" + other.getAddress().getPort() + "/";
        npm(m, "config", "set", "@other:registry=http:" + otherHost, "--location=user");
        npm(m, "config", "set", otherHost + ":_authToken=npm_foreign", "--location=user");
        JsonNode second;
        try {
            second = json(doctor(m, "--json"));
        } finally {
            other.stop(0);
        }
        List<String> messages = new ArrayList<>();
        second.path("findings")
                .forEach(f -> messages.add(
                        f.path("id").asText() + " " + f.path("message").asText()));
        assertThat(messages).anyMatch(s -> s.startsWith("plaintext-token") && s.contains("read-only"));
        assertThat(messages).anyMatch(s -> s.startsWith("plaintext-token") && s.contains("not an Airlock"));
        assertThat(messages).anyMatch(s -> s.startsWith("dead-token") && s.contains("/elsewhere/"));
        assertThat(ids(second, "error")).doesNotContain("bypass-token");
    }

    @Test
    void nobodyPublishesTheDoctor() {
        Machine m = machine("publisher");
        Npm npm = Npm.withToken(m.home().resolve("npm"), registry.url(), session);
        Path pkg = tmp.resolve("publisher").resolve("fake-doctor");
        Files2.write(pkg.resolve("package.json"), "{\"name\":\"airlock-doctor\",\"version\":\"9.9.9\"}");
        Files2.write(pkg.resolve("index.js"), "module.exports = 1;\n");
        Cli.Result r = npm.run(pkg, "publish");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.all()).contains("airlock-doctor is reserved");
        Cli.Result staged = npm.run(pkg, "stage", "publish");
        assertThat(staged.exit()).as(staged.toString()).isNotZero();
        assertThat(staged.all()).contains("airlock-doctor is reserved");
        assertThat(BundledDoctor.tarball()).isEqualTo(BundledDoctor.tarball());
    }
}
