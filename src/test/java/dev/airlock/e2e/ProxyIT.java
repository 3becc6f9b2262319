package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.BodyTree;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One registry for a whole project: a project whose configuration names only Airlock installs a local package and
 * upstream packages with a transitive chain (a second Airlock on loopback is the upstream), with npm, pnpm, yarn berry,
 * yarn classic and bun; the lockfiles carry the upstream's integrity. The dependency-confusion attack is staged at the
 * same time: the upstream has {@code @acme/utils@99.0.0} and {@code billing@99.0.0}, Airlock has the org acme, a local
 * {@code @acme/utils@1.0.0} and a local {@code billing@1.0.0} ({@code proxy.internal}), and the project asks for
 * {@code *}: every client must get the local versions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyIT {
    private TestRegistry upstream;
    private TestRegistry airlock;
    private Map<String, String> upstreamIntegrity;

    @BeforeAll
    void start() {
        upstream = TestRegistry.start();
        upstream.addUser("mallory", "mallory-password-long");
        upstream.createOrg("acme", "mallory");
        publish(upstream, "mallory", "chain-a", "1.0.0", Map.of("chain-b", "^1.0.0"));
        publish(upstream, "mallory", "chain-b", "1.2.0", Map.of("chain-c", "^2.0.0"));
        publish(upstream, "mallory", "chain-c", "2.0.1", Map.of());
        publish(upstream, "mallory", "@acme/utils", "99.0.0", Map.of());
        publish(upstream, "mallory", "billing", "99.0.0", Map.of());
        upstreamIntegrity = Map.of(
                "chain-a", integrity("chain-a", "1.0.0"),
                "chain-b", integrity("chain-b", "1.2.0"),
                "chain-c", integrity("chain-c", "2.0.1"));

        airlock = TestRegistry.start(Map.of("proxy.upstream", upstream.url(), "proxy.internal", "billing"));
        airlock.addUser("alice", "alice-password-long");
        airlock.createOrg("acme", "alice");
        publish(airlock, "alice", "@acme/utils", "1.0.0", Map.of());
        publish(airlock, "alice", "billing", "1.0.0", Map.of());
        publish(airlock, "alice", "local-lib", "1.0.0", Map.of());
    }

    @AfterAll
    void stop() {
        airlock.close();
        upstream.close();
    }

    private String integrity(String name, String version) {
        return upstream.http
                .get(name, null)
                .json()
                .path("versions")
                .path(version)
                .path("dist")
                .path("integrity")
                .asText();
    }

    private static void publish(TestRegistry to, String user, String name, String version, Map<String, String> deps) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        deps.forEach((k, v) -> manifest.withObject("/dependencies").put(k, v));
        ObjectNode body = Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest");
        try {
            JsonNode read =
                    BodyTree.read(new ByteArrayInputStream(Json.write(body).getBytes(StandardCharsets.UTF_8)));
            to.airlock.publish.publish(
                    new Actor(user, "session", "key-" + user, "127.0.0.1"), PackageName.parse(name), read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = CorpusClients.class,
            names = {"NPM", "PNPM", "YARN_BERRY", "YARN_CLASSIC", "BUN"})
    void installsLocalAndUpstreamPackagesAndNeverTheConfusedOnes(CorpusClients client) throws IOException {
        Path dir = Files.createTempDirectory("proxy-it-" + client.name().toLowerCase(java.util.Locale.ROOT));
        try {
            Path project = Files.createDirectories(dir.resolve("project"));
            Files2.write(project.resolve("package.json"), """
                    {"name":"app","version":"1.0.0","private":true,
                     "dependencies":{"local-lib":"^1.0.0","chain-a":"^1.0.0","@acme/utils":"*","billing":"*"}}
                    """);
            Cli.Result install = client.install(project, dir, airlock.url());
            assertThat(install.exit()).as(install.toString()).isZero();

            Map<String, CorpusClients.Locked> locked = client.locked(project).stream()
                    .collect(Collectors.toMap(CorpusClients.Locked::name, l -> l, (a, b) -> a));
            assertThat(locked.keySet())
                    .contains("local-lib", "chain-a", "chain-b", "chain-c", "@acme/utils", "billing");
            // the confusion attack fails: only the local versions
            assertThat(locked.get("@acme/utils").version()).isEqualTo("1.0.0");
            assertThat(locked.get("billing").version()).isEqualTo("1.0.0");
            assertThat(locked.get("chain-c").version()).isEqualTo("2.0.1");
            for (String name : List.of("chain-a", "chain-b", "chain-c")) {
                String integrity = locked.get(name).integrity();
                if (integrity != null) { // yarn berry locks its own checksum, not the registry's integrity
                    assertThat(integrity).as(name).isEqualTo(upstreamIntegrity.get(name));
                }
                String url = locked.get(name).url();
                if (url != null && !url.isEmpty()) {
                    assertThat(url).as(name).startsWith(airlock.url().replaceFirst("/$", ""));
                }
            }
            // direct dependencies as installed (pnpm links only those at the top of node_modules)
            for (String name : List.of("chain-a", "@acme/utils", "billing")) {
                JsonNode pj = Json.parse(Files2.read(project.resolve("node_modules/" + name + "/package.json")));
                assertThat(pj.path("version").asText()).as(name).isEqualTo("1.0.0");
            }
        } finally {
            Files2.deleteTree(dir);
        }
    }
}
