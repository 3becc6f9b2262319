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
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry's cooldown with the real npm 11.19.1: the upstream (a second Airlock on loopback) has {@code cool@1.0.0}
 * from ten days ago and {@code cool@1.1.0} from now; Airlock's {@code proxy.cooldown} is 72h. {@code npm install cool}
 * gets 1.0.0, and {@code npm install cool@1.1.0} fails with npm's usual error for a version that does not exist.
 */
class ProxyCooldownIT {
    @Test
    void npmInstallsTheOlderVersionAndCannotPinTheHiddenOne() throws IOException {
        MutableClock upstreamClock = new MutableClock();
        Path dir = Files.createTempDirectory("proxy-cooldown-it");
        try (TestRegistry upstream = TestRegistry.start(Map.of(), upstreamClock)) {
            upstream.addUser("bob", "bob-password-long");
            upstreamClock.advance(Duration.ofDays(-10));
            publish(upstream, "cool", "1.0.0");
            upstreamClock.advance(Duration.ofDays(10));
            publish(upstream, "cool", "1.1.0");
            try (TestRegistry airlock = TestRegistry.start(
                    Map.of("proxy.upstream", upstream.url(), "proxy.cooldown", "72h"), new MutableClock())) {
                Npm npm = new Npm(Files.createDirectories(dir.resolve("home")), airlock.url());
                Path project = Files.createDirectories(dir.resolve("project"));
                Files2.write(
                        project.resolve("package.json"), "{\"name\":\"app\",\"version\":\"1.0.0\",\"private\":true}");

                Cli.Result latest = npm.run(project, "install", "cool", "--no-audit", "--no-fund");
                assertThat(latest.exit()).as(latest.toString()).isZero();
                JsonNode installed = Json.parse(Files2.read(project.resolve("node_modules/cool/package.json")));
                assertThat(installed.path("version").asText()).isEqualTo("1.0.0");
                assertThat(Json.parse(Files2.read(project.resolve("package.json")))
                                .path("dependencies")
                                .path("cool")
                                .asText())
                        .isEqualTo("^1.0.0");

                Cli.Result pinned = npm.run(project, "install", "cool@1.1.0", "--no-audit", "--no-fund");
                assertThat(pinned.exit()).as(pinned.toString()).isNotZero();
                // what npm 11.19.1 prints when a registry has no such version
                assertThat(pinned.all())
                        .contains("npm error code ETARGET")
                        .contains("npm error notarget No matching version found for cool@1.1.0.");
                installed = Json.parse(Files2.read(project.resolve("node_modules/cool/package.json")));
                assertThat(installed.path("version").asText()).isEqualTo("1.0.0");
            }
        } finally {
            Files2.deleteTree(dir);
        }
    }

    private static void publish(TestRegistry to, String name, String version) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        ObjectNode body = Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest");
        try {
            JsonNode read =
                    BodyTree.read(new ByteArrayInputStream(Json.write(body).getBytes(StandardCharsets.UTF_8)));
            to.airlock.publish.publish(
                    new Actor("bob", "session", "key-bob", "127.0.0.1"), PackageName.parse(name), read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
