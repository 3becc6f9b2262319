package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry's cooldown and blocks with npm 11.19.1, pnpm, yarn berry, yarn classic and bun. The upstream (a second
 * Airlock on loopback) has {@code cool@1.0.0} from ten days ago, {@code cool@1.0.1} from nine days ago and
 * {@code cool@1.1.0} from now, and {@code tagged@2.0.0} from ten days ago and {@code tagged@2.1.0} (its latest) from
 * now; Airlock's {@code proxy.cooldown} is 72h and {@code cool@1.0.1} is blocked. Every client installs
 * {@code cool@^1.0.0} as 1.0.0 and {@code tagged@latest} as 2.0.0; pinning 1.1.0 (cooldown) or 1.0.1 (blocked) fails
 * with the client's usual error for a version that does not exist; after {@code ./airlock proxy allow cool@1.1.0} it
 * installs.
 */
class ProxyCooldownIT {
    private static final List<CorpusClients> CLIENTS = ProxyIT.CLIENTS;

    @Test
    void everyClientInstallsOnlyWhatTheCooldownAndTheBlocksLetThrough() throws IOException {
        MutableClock upstreamClock = new MutableClock();
        Path tmp = Files.createTempDirectory("proxy-cooldown-it");
        try (TestRegistry upstream = TestRegistry.start(Map.of(), upstreamClock)) {
            upstream.addUser("bob", "bob-password-long");
            upstreamClock.advance(Duration.ofDays(-10));
            publish(upstream, "cool", "1.0.0");
            publish(upstream, "tagged", "2.0.0");
            upstreamClock.advance(Duration.ofDays(1));
            publish(upstream, "cool", "1.0.1");
            upstreamClock.advance(Duration.ofDays(9));
            publish(upstream, "cool", "1.1.0");
            publish(upstream, "tagged", "2.1.0");
            try (TestRegistry airlock = TestRegistry.start(
                    Map.of("proxy.upstream", upstream.url(), "proxy.cooldown", "72h"), new MutableClock())) {
                Path config = tmp.resolve("airlock.yaml");
                Files2.write(config, "proxy:\n  upstream: " + upstream.url() + "\n  cooldown: 72h\n");
                String data = airlock.dataDir.toString();
                assertThat(AirlockCommand.run(
                                "",
                                "proxy",
                                "block",
                                "cool@1.0.1",
                                "--reason",
                                "compromised maintainer",
                                "--data",
                                data,
                                "--config",
                                config.toString()))
                        .startsWith("exit=0\nBlocked cool@1.0.1");

                for (CorpusClients client : CLIENTS) {
                    Path dir = tmp.resolve("unpinned-" + client.name().toLowerCase(Locale.ROOT));
                    Cli.Result install = client.install(
                            project(dir, "\"cool\":\"^1.0.0\",\"tagged\":\"latest\""), dir, airlock.url());
                    assertThat(install.exit()).as(client + "\n" + install).isZero();
                    assertThat(installed(dir, "cool"))
                            .as(client + "\n" + install)
                            .isEqualTo("1.0.0");
                    assertThat(installed(dir, "tagged"))
                            .as(client + "\n" + install)
                            .isEqualTo("2.0.0");
                }
                for (String version : List.of("1.1.0", "1.0.1")) {
                    for (CorpusClients client : CLIENTS) {
                        Path dir = tmp.resolve(
                                "pinned-" + version + "-" + client.name().toLowerCase(Locale.ROOT));
                        Cli.Result install = client.install(
                                project(dir, "\"cool\":\"" + version + "\""), dir, airlock.url(), null, false);
                        assertThat(install.exit()).as(client + "\n" + install).isPositive();
                        assertThat(install.all())
                                .as(client + "\n" + install)
                                .contains(noMatchingVersion(client, version));
                        assertThat(dir.resolve("project/node_modules/cool")).doesNotExist();
                    }
                }

                assertThat(AirlockCommand.run(
                                "", "proxy", "allow", "cool@1.1.0", "--data", data, "--config", config.toString()))
                        .startsWith("exit=0\n");
                for (CorpusClients client : CLIENTS) {
                    Path dir = tmp.resolve("allowed-" + client.name().toLowerCase(Locale.ROOT));
                    Cli.Result install = client.install(project(dir, "\"cool\":\"1.1.0\""), dir, airlock.url());
                    assertThat(install.exit()).as(client + "\n" + install).isZero();
                    assertThat(installed(dir, "cool"))
                            .as(client + "\n" + install)
                            .isEqualTo("1.1.0");
                }
            }
        } finally {
            Files2.deleteTree(tmp);
        }
    }

    /**
     * What each client prints for a version the registry does not serve: its usual "no matching version" error, as for
     * a version that was never published (the observed messages are in docs/proxy.md).
     */
    static List<String> noMatchingVersion(CorpusClients client, String version) {
        return switch (client) {
            case NPM ->
                List.of(
                        "npm error code ETARGET",
                        "npm error notarget No matching version found for cool@" + version + ".");
            case PNPM ->
                List.of(
                        "ERR_PNPM_NO_MATCHING_VERSION",
                        "No matching version found for cool@" + version + " while fetching it from",
                        "The latest release of cool is \"1.0.0\"");
            case YARN_BERRY -> List.of("YN0082", "cool@npm:" + version + ": No candidates found");
            case YARN_CLASSIC ->
                List.of("error Couldn't find any versions for \"cool\" that matches \"" + version + "\"");
            case BUN ->
                List.of(
                        "error: No version matching \"" + version
                                + "\" found for specifier \"cool\" (but package exists)",
                        "error: cool@" + version + " failed to resolve");
            default -> throw new IllegalStateException(client.name());
        };
    }

    private static Path project(Path dir, String dependencies) {
        Path project = dir.resolve("project");
        Files2.write(
                project.resolve("package.json"),
                "{\"name\":\"app\",\"version\":\"1.0.0\",\"private\":true,\"dependencies\":{" + dependencies + "}}");
        return project;
    }

    private static String installed(Path dir, String name) {
        Path pj = dir.resolve("project/node_modules/" + name + "/package.json");
        return Json.parse(Files2.read(pj)).path("version").asText();
    }

    private static void publish(TestRegistry to, String name, String version) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        to.publishDirect(manifest);
    }
}
