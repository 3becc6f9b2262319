package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.CountingUpstream;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code npm audit} and {@code npm audit --json} (the real npm 11.19.1) against Airlock. Offline: the advisories come
 * from real GitHub advisory-database files imported with {@code ./airlock advisories import}. Online: the upstream is
 * a second Airlock (behind a relay that keeps what it was sent) with its own advisories; a local package's name is
 * answered here and never sent upstream.
 */
class AuditIT {
    private static final String BULK = "/-/npm/v1/security/advisories/bulk";
    private static final String GHSA_MINIMIST = "https://github.com/advisories/GHSA-xvch-5gv4-984h";

    @Test
    void offlineNpmAuditReportsAnImportedAdvisoryAndNothingOnceFixed() throws IOException {
        Path dir = Files.createTempDirectory("audit-it");
        try (TestRegistry airlock = TestRegistry.start(Map.of(), new MutableClock())) {
            airlock.addUser("bob", "bob-password-long");
            publish(airlock, "minimist", "1.2.5");
            publish(airlock, "minimist", "1.2.6");
            String imported = AirlockCommand.run(
                    "", "advisories", "import", advisories().toString(), "--data", airlock.dataDir.toString());
            assertThat(imported)
                    .startsWith("exit=0\nImported 3 advisories for 4 packages from " + advisories())
                    .contains("(1 skipped: 1 not npm)");

            Npm npm = new Npm(Files.createDirectories(dir.resolve("home")), airlock.url());
            Path project = project(dir, Map.of("minimist", "1.2.5"));
            Cli.Result install = npm.run(project, "install");
            assertThat(install.exit()).as(install.toString()).isZero();

            Cli.Result audit = npm.run(project, "audit");
            assertThat(audit.exit()).as(audit.toString()).isEqualTo(1);
            assertThat(audit.stdout())
                    .contains("minimist  1.2.5\n")
                    .contains("Severity: critical")
                    .contains("Prototype Pollution in minimist - " + GHSA_MINIMIST)
                    .contains("Will install minimist@1.2.6")
                    .contains("1 critical severity vulnerability");

            Cli.Result json = npm.run(project, "audit", "--json");
            assertThat(json.exit()).as(json.toString()).isEqualTo(1);
            JsonNode report = Json.parse(json.stdout());
            JsonNode vuln = report.path("vulnerabilities").path("minimist");
            assertThat(vuln.path("severity").asText()).isEqualTo("critical");
            assertThat(vuln.path("range").asText()).isEqualTo("1.2.5");
            JsonNode via = vuln.path("via").get(0);
            assertThat(via.path("url").asText()).isEqualTo(GHSA_MINIMIST);
            assertThat(via.path("source").isIntegralNumber()).isTrue();
            assertThat(via.path("cwe").get(0).asText()).isEqualTo("CWE-1321");
            assertThat(via.path("cvss").path("score").asDouble()).isEqualTo(9.8);
            assertThat(report.path("metadata")
                            .path("vulnerabilities")
                            .path("critical")
                            .asInt())
                    .isEqualTo(1);

            Cli.Result upgrade = npm.run(project, "install", "minimist@1.2.6");
            assertThat(upgrade.exit()).as(upgrade.toString()).isZero();
            Cli.Result clean = npm.run(project, "audit");
            assertThat(clean.exit()).as(clean.toString()).isZero();
            assertThat(clean.stdout()).contains("found 0 vulnerabilities");
        } finally {
            Files2.deleteTree(dir);
        }
    }

    @Test
    void onlineTheUpstreamAnswersForPublicNamesAndNeverHearsOfLocalOnes() throws IOException {
        Path dir = Files.createTempDirectory("audit-it");
        try (CountingUpstream relay = new CountingUpstream();
                TestRegistry upstream = TestRegistry.start(Map.of("server.publicUrl", relay.url()));
                TestRegistry airlock = TestRegistry.start(Map.of("proxy.upstream", relay.url()))) {
            relay.target(upstream.url());
            upstream.addUser("bob", "bob-password-long");
            publish(upstream, "minimist", "1.2.5");
            assertThat(AirlockCommand.run(
                            "", "advisories", "import", advisories().toString(), "--data", upstream.dataDir.toString()))
                    .startsWith("exit=0\n");
            // this registry's own package and its own advisory about it
            airlock.addUser("bob", "bob-password-long");
            publish(airlock, "corp-lib", "1.0.0");
            Path own = Files.createDirectories(dir.resolve("own"));
            Files2.write(
                    own.resolve("CORP-2026-0001.json"),
                    "{\"id\":\"CORP-2026-0001\",\"summary\":\"Token leak in corp-lib\",\"affected\":[{\"package\":"
                            + "{\"ecosystem\":\"npm\",\"name\":\"corp-lib\"},\"ranges\":[{\"type\":\"SEMVER\","
                            + "\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0.1\"}]}]}],"
                            + "\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://corp.example/CORP-2026-0001\"}],"
                            + "\"database_specific\":{\"severity\":\"MODERATE\"}}");
            assertThat(AirlockCommand.run(
                            "", "advisories", "import", own.toString(), "--data", airlock.dataDir.toString()))
                    .startsWith("exit=0\nImported 1 advisory for 1 package");

            Npm npm = new Npm(Files.createDirectories(dir.resolve("home")), airlock.url());
            Path project = project(dir, Map.of("minimist", "1.2.5", "corp-lib", "1.0.0"));
            Cli.Result install = npm.run(project, "install");
            assertThat(install.exit()).as(install.toString()).isZero();

            Cli.Result json = npm.run(project, "audit", "--json");
            assertThat(json.exit()).as(json.toString()).isEqualTo(1);
            JsonNode vulns = Json.parse(json.stdout()).path("vulnerabilities");
            assertThat(vulns.path("minimist").path("severity").asText()).isEqualTo("critical");
            assertThat(vulns.path("minimist").path("via").get(0).path("url").asText())
                    .isEqualTo(GHSA_MINIMIST);
            assertThat(vulns.path("corp-lib").path("severity").asText()).isEqualTo("moderate");
            assertThat(vulns.path("corp-lib").path("via").get(0).path("url").asText())
                    .isEqualTo("https://corp.example/CORP-2026-0001");

            Cli.Result audit = npm.run(project, "audit");
            assertThat(audit.exit()).as(audit.toString()).isEqualTo(1);
            assertThat(audit.stdout())
                    .contains("Token leak in corp-lib - https://corp.example/CORP-2026-0001")
                    .contains("Prototype Pollution in minimist - " + GHSA_MINIMIST)
                    .contains("2 vulnerabilities (1 moderate, 1 critical)");

            List<String> told = relay.posted(BULK);
            assertThat(told).hasSize(2);
            for (String body : told) {
                assertThat(Json.parse(body).properties().stream().map(Map.Entry::getKey))
                        .containsExactly("minimist");
            }
        } finally {
            Files2.deleteTree(dir);
        }
    }

    private static Path project(Path dir, Map<String, String> dependencies) {
        Path project = dir.resolve("project");
        ObjectNode pkg =
                Json.object().put("name", "app").put("version", "1.0.0").put("private", true);
        ObjectNode deps = pkg.putObject("dependencies");
        dependencies.forEach(deps::put);
        Files2.write(project.resolve("package.json"), Json.write(pkg));
        return project;
    }

    private static Path advisories() {
        try {
            return Path.of(AuditIT.class.getResource("/advisories").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publish(TestRegistry to, String name, String version) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        to.publishDirect(manifest);
    }
}
