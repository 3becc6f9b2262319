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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One registry for a whole project, with npm, pnpm, yarn berry, yarn classic and bun, against a real upstream (a second
 * Airlock on loopback). Each client gets a fresh project whose configuration names only Airlock (and a token, for the
 * restricted local package), and a fresh cache. In order:
 *
 * <ol>
 *   <li>A tree mixing local packages (one restricted) and upstream ones (a transitive chain and the legacy name
 *       {@code JSONStream}) installs; the lockfiles carry the upstream's integrity. The dependency-confusion attack is
 *       staged at the same time: the upstream has {@code @acme/utils@99.0.0} and {@code billing@99.0.0}, Airlock has
 *       the org acme, a local {@code @acme/utils@1.0.0} and a local {@code billing@1.0.0} ({@code proxy.internal}),
 *       and the project asks for {@code *}: every client gets the local versions.
 *   <li>The upstream serves a tarball whose bytes do not match its packument: every install of it fails with a
 *       message, and Airlock stores nothing.
 *   <li>The upstream is stopped: the tree cached by the first step still installs (stale packuments), a package never
 *       fetched fails with a message naming it.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyIT {
    static final List<CorpusClients> CLIENTS = List.of(
            CorpusClients.NPM,
            CorpusClients.PNPM,
            CorpusClients.YARN_BERRY,
            CorpusClients.YARN_CLASSIC,
            CorpusClients.BUN);
    /** The mixed tree: local, restricted local, confused, upstream chain and a legacy upstream name. */
    static final String TREE = """
            {"name":"app","version":"1.0.0","private":true,
             "dependencies":{"local-lib":"^1.0.0","@acme/secret":"^1.0.0","chain-a":"^1.0.0","JSONStream":"^1.3.5",
                             "@acme/utils":"*","billing":"*"}}
            """;
    /** Upstream packages of the tree, with the version each client must lock. */
    static final Map<String, String> UPSTREAM_TREE =
            Map.of("chain-a", "1.0.0", "chain-b", "1.2.0", "chain-c", "2.0.1", "JSONStream", "1.3.5");

    private TestRegistry upstream;
    private boolean upstreamStopped;
    private TestRegistry airlock;
    private String token;
    private Path tmp;
    private final Map<String, String> upstreamIntegrity = new LinkedHashMap<>();

    @BeforeAll
    void start() throws IOException {
        tmp = Files.createTempDirectory("proxy-it");
        upstream = TestRegistry.start();
        upstream.addUser("mallory", "mallory-password-long");
        upstream.createOrg("acme", "mallory");
        publish(upstream, "mallory", "chain-a", "1.0.0", Map.of("chain-b", "^1.0.0"), null);
        publish(upstream, "mallory", "chain-b", "1.2.0", Map.of("chain-c", "^2.0.0"), null);
        publish(upstream, "mallory", "chain-c", "2.0.1", Map.of(), null);
        upstream.airlock.names.allow(Actor.operator(), List.of("JSONStream"));
        publish(upstream, "mallory", "JSONStream", "1.3.5", Map.of(), null);
        publish(upstream, "mallory", "@acme/utils", "99.0.0", Map.of(), null);
        publish(upstream, "mallory", "@acme/secret", "99.0.0", Map.of(), null);
        publish(upstream, "mallory", "billing", "99.0.0", Map.of(), null);
        publish(upstream, "mallory", "tampered", "1.0.0", Map.of(), null);
        publish(upstream, "mallory", "never-fetched", "1.0.0", Map.of(), null);
        UPSTREAM_TREE.forEach((name, version) -> upstreamIntegrity.put(name, integrity(name, version)));

        airlock = TestRegistry.start(Map.of("proxy.upstream", upstream.url(), "proxy.internal", "billing"));
        token = airlock.userWithToken("alice");
        airlock.createOrg("acme", "alice");
        publish(airlock, "alice", "@acme/utils", "1.0.0", Map.of(), null);
        publish(airlock, "alice", "@acme/secret", "1.0.0", Map.of(), "restricted");
        publish(airlock, "alice", "billing", "1.0.0", Map.of(), null);
        publish(airlock, "alice", "local-lib", "1.0.0", Map.of(), null);
        // the restricted package really is invisible without a token (so the installs prove the token is sent)
        assertThat(airlock.http.get("@acme%2fsecret", null).status()).isEqualTo(404);
        assertThat(airlock.http.get("@acme%2fsecret", token).status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        airlock.close();
        if (!upstreamStopped) {
            upstream.close();
        }
        Files2.deleteTree(tmp);
    }

    @Test
    @Order(1)
    void installsLocalAndUpstreamPackagesAndNeverTheConfusedOnes() {
        for (CorpusClients client : CLIENTS) {
            Path dir = dir(client, "tree");
            Cli.Result install = client.install(project(dir, TREE), dir, airlock.url(), token, true);
            assertThat(install.exit()).as(client + "\n" + install).isZero();
            assertTree(client, dir.resolve("project"));

            Map<String, CorpusClients.Locked> locked = client.locked(dir.resolve("project")).stream()
                    .collect(Collectors.toMap(CorpusClients.Locked::name, l -> l, (a, b) -> a));
            // the confusion attack fails: only the local versions
            assertThat(locked.get("@acme/utils").version()).as(client.name()).isEqualTo("1.0.0");
            assertThat(locked.get("@acme/secret").version()).as(client.name()).isEqualTo("1.0.0");
            assertThat(locked.get("billing").version()).as(client.name()).isEqualTo("1.0.0");
            assertThat(locked.get("local-lib").version()).as(client.name()).isEqualTo("1.0.0");
            UPSTREAM_TREE.forEach((name, version) -> {
                CorpusClients.Locked lock = locked.get(name);
                assertThat(lock).as(client + " " + name).isNotNull();
                assertThat(lock.version()).as(client + " " + name).isEqualTo(version);
                if (client == CorpusClients.YARN_BERRY) {
                    // berry locks the checksum of the zip it repacks each tarball into, never dist.integrity
                    assertThat(lock.integrity()).isNull();
                } else {
                    assertThat(lock.integrity()).as(client + " " + name).isEqualTo(upstreamIntegrity.get(name));
                }
                if (lock.url() != null && !lock.url().isEmpty()) {
                    assertThat(lock.url()).as(client + " " + name).startsWith(airlock.url());
                }
            });
        }
    }

    @Test
    @Order(2)
    void aTarballWhoseBytesDoNotMatchItsPackumentIsRefusedByEveryClient() throws IOException {
        String integrity = integrity("tampered", "1.0.0");
        String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(integrity.substring("sha512-".length())));
        Path blob;
        try (Stream<Path> files = Files.walk(upstream.dataDir)) {
            blob = files.filter(p -> p.getFileName().toString().equals(hex))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(blob, bytes);
        // the upstream really serves other bytes than its packument describes
        byte[] served = upstream.http.bytes("tampered/-/tampered-1.0.0.tgz", null);
        assertThat(served).isEqualTo(bytes);
        assertThat("sha512-" + Base64.getEncoder().encodeToString(sha512(served)))
                .isNotEqualTo(integrity);
        Set<String> before = airlock.airlock.proxy.referencedBlobs();

        for (CorpusClients client : CLIENTS) {
            Path dir = dir(client, "tampered");
            Cli.Result install = client.install(
                    project(dir, "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"tampered\":\"1.0.0\"}}"),
                    dir,
                    airlock.url(),
                    token,
                    false);
            // a clean failure: the client exits on its own (-1 would be a client killed after hanging)
            assertThat(install.exit()).as(client + "\n" + install).isPositive();
            assertThat(install.all()).as(client + "\n" + install).contains(tamperedMessage(client));
        }

        // nothing was stored, and nothing is served
        assertThat(airlock.airlock.proxy.referencedBlobs()).isEqualTo(before);
        assertThat(airlock.airlock.blobs.exists(hex)).isFalse();
        assertThat(airlock.http.get("tampered/-/tampered-1.0.0.tgz", token).status())
                .isEqualTo(502);
    }

    @Test
    @Order(3)
    void withTheUpstreamStoppedTheCachedTreeStillInstallsAndAnUncachedPackageFailsCleanly() {
        String upstreamUrl = upstream.url();
        upstream.close();
        upstreamStopped = true;
        // every cached packument is now due for revalidation, which fails: served stale
        airlock.clock.advance(Duration.ofSeconds(301));
        for (CorpusClients client : CLIENTS) {
            Path dir = dir(client, "outage");
            Cli.Result install = client.install(project(dir, TREE), dir, airlock.url(), token, true);
            assertThat(install.exit()).as(client + "\n" + install).isZero();
            assertTree(client, dir.resolve("project"));
        }
        for (CorpusClients client : CLIENTS) {
            Path dir = dir(client, "uncached");
            Cli.Result install = client.install(
                    project(
                            dir,
                            "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"never-fetched\":\"^1.0.0\"}}"),
                    dir,
                    airlock.url(),
                    token,
                    false);
            assertThat(install.exit()).as(client + "\n" + install).isPositive();
            assertThat(install.all()).as(client + "\n" + install).contains(uncachedMessage(client, upstreamUrl));
        }
    }

    /** What each client says when Airlock refuses the tampered tarball (502 with the reason). */
    private List<String> tamperedMessage(CorpusClients client) {
        String tgz = airlock.url() + "tampered/-/tampered-1.0.0.tgz";
        return switch (client) {
            case NPM ->
                List.of("npm error 502 Bad Gateway - GET " + tgz + " - The upstream registry served a tarball of "
                        + "tampered@1.0.0 that does not match its packument");
            // pnpm wraps long lines
            case PNPM -> List.of("Tarball server returned HTTP 502 for ", "tampered-1.0.0.tgz");
            case YARN_BERRY ->
                List.of(
                        "tampered@npm:1.0.0: The registry appears to be down",
                        "Response Code: 502 (Bad Gateway)",
                        "Request URL: " + tgz);
            case YARN_CLASSIC -> List.of(tgz + ": Request failed \"502 Bad Gateway\"");
            case BUN -> List.of("error: GET " + tgz + " - 502");
            default -> throw new IllegalStateException(client.name());
        };
    }

    /** What each client says when Airlock cannot fetch a packument from a stopped upstream (502 with the reason). */
    private List<String> uncachedMessage(CorpusClients client, String upstreamUrl) {
        String packument = airlock.url() + "never-fetched";
        return switch (client) {
            case NPM ->
                List.of("npm error 502 Bad Gateway - GET " + packument + " - The upstream registry " + upstreamUrl
                        + " is unreachable and never-fetched is not cached here");
            case PNPM -> List.of("ERR_PNPM_FETCH_502", "Failed to resolve never-fetched@^1.0.0");
            case YARN_BERRY ->
                List.of(
                        "never-fetched@npm:^1.0.0: The registry appears to be down",
                        "Response Code: 502 (Bad Gateway)",
                        "Request URL: " + packument);
            // classic names no package here: it retries, then dies with the status
            case YARN_CLASSIC -> List.of("Request failed \"502 Bad Gateway\"");
            case BUN -> List.of("GET " + packument + " - 502");
            default -> throw new IllegalStateException(client.name());
        };
    }

    /** What every client installed from {@link #TREE}: the local versions, the upstream chain and JSONStream. */
    private static void assertTree(CorpusClients client, Path project) {
        Map<String, String> expected = Map.of(
                "local-lib", "1.0.0",
                "@acme/secret", "1.0.0",
                "@acme/utils", "1.0.0",
                "billing", "1.0.0",
                "chain-a", "1.0.0",
                "JSONStream", "1.3.5");
        // direct dependencies as installed (pnpm links only those at the top of node_modules)
        expected.forEach((name, version) -> {
            JsonNode pj = Json.parse(Files2.read(project.resolve("node_modules/" + name + "/package.json")));
            assertThat(pj.path("version").asText()).as(client + " " + name).isEqualTo(version);
        });
    }

    private Path dir(CorpusClients client, String scenario) {
        return tmp.resolve(scenario + "-" + client.name().toLowerCase(Locale.ROOT));
    }

    private static Path project(Path dir, String packageJson) {
        Path project = dir.resolve("project");
        Files2.write(project.resolve("package.json"), packageJson);
        return project;
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

    private static byte[] sha512(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-512").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publish(
            TestRegistry to, String user, String name, String version, Map<String, String> deps, String access) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        deps.forEach((k, v) -> manifest.withObject("/dependencies").put(k, v));
        ObjectNode body = Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest");
        if (access != null) {
            body.put("access", access);
        }
        try {
            JsonNode read =
                    BodyTree.read(new ByteArrayInputStream(Json.write(body).getBytes(StandardCharsets.UTF_8)));
            to.airlock.publish.publish(
                    new Actor(user, "session", "key-" + user, "127.0.0.1"), PackageName.parse(name), read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
