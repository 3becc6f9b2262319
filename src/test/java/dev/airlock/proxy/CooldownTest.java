package dev.airlock.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditEvent;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.CountingUpstream;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's cooldown and blocks (docs/proxy.md, "Cooldown and blocks") against a real upstream: a second Airlock
 * on loopback behind a counting relay, with its own clock so versions can be published in the past. Every read goes
 * through real HTTP.
 */
class CooldownTest {
    private static final String CORGI = "application/vnd.npm.install-v1+json";
    private final MutableClock clock = new MutableClock();
    private final MutableClock upstreamClock = new MutableClock();
    private final CountingUpstream relay = new CountingUpstream();
    private final TestRegistry upstream = TestRegistry.start(Map.of("server.publicUrl", relay.url()), upstreamClock);
    private TestRegistry airlock;
    private final HttpClient client = HttpClient.newHttpClient();

    CooldownTest() {
        relay.target(upstream.url());
        upstream.addUser("bob", "bob-password-long");
    }

    private void start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("proxy.upstream", relay.url(), "proxy.cooldown", "72h"));
        settings.putAll(extra);
        airlock = TestRegistry.start(settings, clock);
    }

    @AfterEach
    void stop() {
        if (airlock != null) {
            airlock.close();
        }
        upstream.close();
        relay.close();
    }

    /** Publishes upstream as if {@code daysAgo} days ago (the upstream's own clock, so its `time` says so). */
    private void publishUpstream(String name, String version, int daysAgo) {
        upstreamClock.advance(Duration.ofDays(-daysAgo));
        try {
            upstream.publishDirect(Tarballs.manifest(name, version), version.contains("-") ? "next" : "latest");
        } finally {
            upstreamClock.advance(Duration.ofDays(daysAgo));
        }
    }

    private HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(airlock.url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(req.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<byte[]> res) {
        return Json.parse(res.body());
    }

    private static List<String> versions(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.path("versions").fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String hiddenHeader(HttpResponse<byte[]> res) {
        return res.headers().firstValue("Airlock-Hidden").orElse(null);
    }

    private ProxyControls controls() {
        return airlock.airlock.proxy.controls();
    }

    @Test
    void aFreshVersionIsHiddenLatestMovesBackAndTheClockReleasesItWithoutAskingTheUpstream() {
        start(Map.of("proxy.maxAgeSeconds", "100000000"));
        publishUpstream("fresh", "1.0.0", 10);
        publishUpstream("fresh", "2.0.0-beta.1", 9);
        publishUpstream("fresh", "1.1.0", 0);
        publishUpstream("fresh", "2.0.0-beta.2", 0);

        HttpResponse<byte[]> res = get("fresh");
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode doc = json(res);
        assertThat(versions(doc)).containsExactlyInAnyOrder("1.0.0", "2.0.0-beta.1");
        assertThat(doc.path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
        assertThat(doc.path("dist-tags").path("next").asText()).isEqualTo("2.0.0-beta.1");
        assertThat(doc.path("time").has("1.1.0")).isFalse();
        assertThat(doc.path("time").has("2.0.0-beta.2")).isFalse();
        assertThat(doc.path("time").path("modified").asText())
                .isEqualTo(doc.path("time").path("2.0.0-beta.1").asText());
        assertThat(hiddenHeader(res)).isEqualTo("2 versions (cooldown 2)");

        JsonNode corgi = json(get("fresh", "Accept", CORGI));
        assertThat(versions(corgi)).containsExactlyInAnyOrder("1.0.0", "2.0.0-beta.1");
        assertThat(corgi.path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
        assertThat(corgi.path("modified").asText())
                .isEqualTo(doc.path("time").path("modified").asText());

        // hidden versions: 404 for the version document and the tarball, never a broken tarball
        assertThat(get("fresh/1.1.0").statusCode()).isEqualTo(404);
        assertThat(json(get("fresh/latest")).path("version").asText()).isEqualTo("1.0.0");
        HttpResponse<byte[]> tgz = get("fresh/-/fresh-1.1.0.tgz");
        assertThat(tgz.statusCode()).isEqualTo(404);
        assertThat(new String(tgz.body(), StandardCharsets.UTF_8)).contains("proxy why");
        assertThat(relay.count("/fresh/-/fresh-1.1.0.tgz")).isZero();
        assertThat(get("fresh/-/fresh-1.0.0.tgz").statusCode()).isEqualTo(200);

        // one minute before the end of the cooldown: still hidden; after it: served, and the upstream was asked once
        clock.advance(Duration.ofMinutes(72 * 60 - 1));
        assertThat(versions(json(get("fresh")))).doesNotContain("1.1.0");
        clock.advance(Duration.ofMinutes(2));
        HttpResponse<byte[]> later = get("fresh");
        JsonNode released = json(later);
        assertThat(versions(released)).containsExactlyInAnyOrder("1.0.0", "1.1.0", "2.0.0-beta.1", "2.0.0-beta.2");
        assertThat(released.path("dist-tags").path("latest").asText()).isEqualTo("1.1.0");
        assertThat(released.path("dist-tags").path("next").asText()).isEqualTo("2.0.0-beta.2");
        assertThat(hiddenHeader(later)).isNull();
        assertThat(get("fresh/-/fresh-1.1.0.tgz").statusCode()).isEqualTo(200);
        assertThat(relay.count("/fresh")).isEqualTo(1);
    }

    @Test
    void aBackDatedUpstreamTimeDoesNotShortenTheCooldown() {
        start(Map.of());
        publishUpstream("dated", "1.0.0", 30);
        assertThat(versions(json(get("dated")))).containsExactly("1.0.0");

        // published now, but its upstream `time` claims ten days ago
        publishUpstream("dated", "1.0.1", 10);
        clock.advance(Duration.ofSeconds(301)); // the cached packument is revalidated
        HttpResponse<byte[]> res = get("dated");
        assertThat(relay.lastStatus("/dated")).isEqualTo(200);
        assertThat(versions(json(res))).containsExactly("1.0.0");
        assertThat(hiddenHeader(res)).isEqualTo("1 version (cooldown 1)");
        String why = controls().why(Actor.operator(), PackageName.parse("dated"), "1.0.1");
        assertThat(why).startsWith("dated@1.0.1 is hidden by the cooldown (3d) until ");
        Instant until = Instant.parse(why.replaceAll(".* until (\\S+) .*", "$1"));
        assertThat(until).isAfter(Instant.ofEpochMilli(clock.millis()).plus(Duration.ofHours(71)));

        clock.advance(Duration.ofHours(73));
        assertThat(versions(json(get("dated")))).containsExactlyInAnyOrder("1.0.0", "1.0.1");
    }

    @Test
    void excludedNamesHaveNoCooldown() {
        start(Map.of("proxy.cooldownExclude", "trusted-*, @fast/*, exact"));
        publishUpstream("trusted-lib", "1.0.0", 0);
        publishUpstream("exact", "1.0.0", 0);
        publishUpstream("other", "1.0.0", 0);
        assertThat(versions(json(get("trusted-lib")))).containsExactly("1.0.0");
        assertThat(versions(json(get("exact")))).containsExactly("1.0.0");
        JsonNode other = json(get("other"));
        assertThat(versions(other)).isEmpty();
        assertThat(other.path("dist-tags").has("latest")).isFalse();
        assertThat(controls().why(Actor.operator(), PackageName.parse("exact"), "1.0.0"))
                .isEqualTo("exact@1.0.0 is served (excluded from the cooldown by proxy.cooldownExclude)");
    }

    @Test
    void operatorsAllowEarlyBlockAndUnblockAuditedAndABlockedCachedTarballIsNoLongerServed() throws IOException {
        start(Map.of());
        publishUpstream("lib", "1.0.0", 20);
        publishUpstream("lib", "1.1.0", 10);
        publishUpstream("lib", "1.2.0", 0);
        assertThat(versions(json(get("lib")))).containsExactlyInAnyOrder("1.0.0", "1.1.0");
        assertThat(get("lib/-/lib-1.1.0.tgz").statusCode()).isEqualTo(200); // cached now

        PackageName lib = PackageName.parse("lib");
        Actor op = Actor.operator();
        assertThat(controls().allow(op, lib, "1.2.0")).isTrue();
        assertThat(controls().allow(op, lib, "1.2.0")).isFalse();
        JsonNode allowed = json(get("lib"));
        assertThat(versions(allowed)).containsExactlyInAnyOrder("1.0.0", "1.1.0", "1.2.0");
        assertThat(allowed.path("dist-tags").path("latest").asText()).isEqualTo("1.2.0");
        assertThat(controls().why(op, lib, "1.2.0")).startsWith("lib@1.2.0 is served: allowed early by @cli at ");

        // a block wins over an allow, and over the cache
        assertThat(controls().block(op, lib, ">=1.1.0", "CVE-2026-0001 in the postinstall"))
                .isTrue();
        HttpResponse<byte[]> blocked = get("lib");
        assertThat(versions(json(blocked))).containsExactly("1.0.0");
        assertThat(json(blocked).path("dist-tags").path("latest").asText()).isEqualTo("1.0.0");
        assertThat(hiddenHeader(blocked)).isEqualTo("2 versions (blocked 2)");
        assertThat(get("lib/-/lib-1.1.0.tgz").statusCode()).isEqualTo(404);
        assertThat(get("lib/1.1.0").statusCode()).isEqualTo(404);
        assertThat(controls().why(op, lib, "1.1.0"))
                .startsWith("lib@1.1.0 is blocked by >=1.1.0 because CVE-2026-0001 in the postinstall (by @cli at ");
        assertThat(controls().why(op, lib, "1.0.0")).startsWith("lib@1.0.0 is served (published upstream ");
        assertThat(controls().why(op, lib, "9.9.9")).isEqualTo("lib@9.9.9 is not a version the upstream registry has");

        assertThatThrownBy(() -> controls().block(op, lib, "not a range!", "x"))
                .isInstanceOf(AirlockException.class)
                .hasMessageContaining("not a version or a semver range");
        assertThatThrownBy(() -> controls().unblock(op, lib, ">=1.2.0"))
                .isInstanceOf(AirlockException.class)
                .hasMessage("No block of lib@>=1.2.0; its blocks are >=1.1.0");

        // the command line, against the same data while the registry serves it
        Path config = Files.createTempFile("airlock-proxy", ".yaml");
        Files.writeString(config, "proxy:\n  upstream: " + relay.url() + "\n  cooldown: 72h\n");
        String data = airlock.dataDir.toString();
        assertThat(AirlockCommand.run(
                        "", "proxy", "unblock", "lib@>=1.1.0", "--data", data, "--config", config.toString()))
                .isEqualTo("exit=0\nUnblocked lib@>=1.1.0\n");
        assertThat(get("lib/-/lib-1.1.0.tgz").statusCode()).isEqualTo(200);
        assertThat(versions(json(get("lib")))).containsExactlyInAnyOrder("1.0.0", "1.1.0", "1.2.0");
        assertThat(AirlockCommand.run(
                        "",
                        "proxy",
                        "block",
                        "lib@1.0.0",
                        "--reason",
                        "typosquat payload",
                        "--data",
                        data,
                        "--config",
                        config.toString()))
                .isEqualTo("exit=0\nBlocked lib@1.0.0; it is no longer served\n");
        assertThat(AirlockCommand.run("", "proxy", "why", "lib@1.0.0", "--data", data, "--config", config.toString()))
                .startsWith("exit=0\nlib@1.0.0 is blocked by 1.0.0 because typosquat payload (by @cli at ");
        assertThat(versions(json(get("lib")))).containsExactlyInAnyOrder("1.1.0", "1.2.0");
        assertThat(AirlockCommand.run("", "proxy", "allow", "lib", "--data", data, "--config", config.toString()))
                .startsWith("exit=1\nairlock: Expected NAME@VERSION");
        Files.delete(config);

        List<AuditEvent> events = airlock.airlock.audit.forTarget("package:lib");
        assertThat(events)
                .extracting(AuditEvent::action)
                .containsExactly("proxy.allow", "proxy.block", "proxy.unblock", "proxy.block");
        assertThat(events.get(1).detail())
                .containsEntry("range", ">=1.1.0")
                .containsEntry("reason", "CVE-2026-0001 in the postinstall");
        assertThat(events).extracting(AuditEvent::actor).containsOnly("@cli (cli)");
        assertThat(airlock.airlock.audit.verify(List.of(), null).ok()).isTrue(); // the log verifies
    }

    @Test
    void cooldownAndBlocksTogetherInTheHeader() {
        start(Map.of());
        publishUpstream("mix", "1.0.0", 10);
        publishUpstream("mix", "1.1.0", 0);
        publishUpstream("mix", "1.2.0", 0);
        controls().block(Actor.operator(), PackageName.parse("mix"), "1.0.0", "bad");
        HttpResponse<byte[]> res = get("mix");
        assertThat(hiddenHeader(res)).isEqualTo("3 versions (cooldown 2, blocked 1)");
        assertThat(versions(json(res))).isEmpty();
        assertThat(json(res).path("dist-tags").size()).isZero();
    }
}
