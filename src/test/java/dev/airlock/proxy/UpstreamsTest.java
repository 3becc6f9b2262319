package dev.airlock.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.json.Json;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several upstreams (docs/proxy.md): two real registries (two more Airlocks on loopback, each behind a counting relay),
 * "pub" open to anonymous readers and "corp" wanting a token; this Airlock routes {@code @corp/*} and {@code corp-*}
 * to corp and everything else to pub. Also the 404 memory, user scopes in the guard, and {@code proxy rules}.
 */
class UpstreamsTest {
    private final MutableClock clock = new MutableClock();
    private final CountingUpstream pubRelay = new CountingUpstream();
    private final CountingUpstream corpRelay = new CountingUpstream();
    private final TestRegistry pub = TestRegistry.start(Map.of("server.publicUrl", pubRelay.url()));
    private final TestRegistry corp =
            TestRegistry.start(Map.of("server.publicUrl", corpRelay.url(), "auth.anonymousRead", "false"));
    private final String corpToken;
    private TestRegistry airlock;
    private final HttpClient client = HttpClient.newHttpClient();

    UpstreamsTest() {
        pubRelay.target(pub.url());
        corpRelay.target(corp.url());
        pub.addUser("bob", "bob-password-long");
        corp.addUser("bob", "bob-password-long");
        corp.createOrg("corp", "bob");
        corpToken = corp.userWithToken("reader");
    }

    /** proxy.upstreams: corp for @corp/* and corp-*, then pub for every name. */
    private Map<String, String> listForm() {
        Map<String, String> s = new HashMap<>();
        s.put("proxy.upstreams.1.url", corpRelay.url());
        s.put("proxy.upstreams.1.token", corpToken);
        s.put("proxy.upstreams.1.match", "@corp/*, corp-*");
        s.put("proxy.upstreams.2.url", pubRelay.url());
        return s;
    }

    @AfterEach
    void stop() {
        if (airlock != null) {
            airlock.close();
        }
        pub.close();
        corp.close();
        pubRelay.close();
        corpRelay.close();
    }

    private static void publish(TestRegistry registry, String name, String version, String description) {
        ObjectNode manifest = Tarballs.manifest(name, version);
        manifest.put("description", description);
        registry.publishDirect(manifest);
    }

    private HttpResponse<byte[]> get(String path) {
        try {
            return client.send(
                    HttpRequest.newBuilder(URI.create(airlock.url() + path))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> versions(HttpResponse<byte[]> res) {
        assertThat(res.statusCode())
                .as(new String(res.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return Json.parse(res.body()).path("versions").properties().stream()
                .map(Map.Entry::getKey)
                .toList();
    }

    private static String text(HttpResponse<byte[]> res) {
        return new String(res.body(), StandardCharsets.UTF_8);
    }

    @Test
    void namesAreRoutedByPatternAndEachTokenGoesToItsOwnUpstreamOnly() {
        publish(corp, "corp-tool", "1.0.0", "corp's");
        publish(corp, "@corp/lib", "2.0.0", "corp's");
        publish(pub, "corp-tool", "66.0.0", "an impostor on the public registry");
        publish(pub, "left-pad", "1.0.0", "public");
        airlock = TestRegistry.start(listForm(), clock);

        assertThat(versions(get("corp-tool"))).containsExactly("1.0.0");
        assertThat(versions(get("@corp%2flib"))).containsExactly("2.0.0");
        assertThat(versions(get("left-pad"))).containsExactly("1.0.0");
        assertThat(get("corp-tool/-/corp-tool-1.0.0.tgz").statusCode()).isEqualTo(200);
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").statusCode()).isEqualTo(200);
        assertThat(get("corp-tool/-/corp-tool-66.0.0.tgz").statusCode()).isEqualTo(404);

        // corp wants its token (it refuses anonymous readers) and got it, for packuments and tarballs alike
        assertThat(corpRelay.lastAuthorization("/corp-tool")).isEqualTo("Bearer " + corpToken);
        assertThat(corpRelay.lastAuthorization("/@corp%2flib")).isEqualTo("Bearer " + corpToken);
        assertThat(corpRelay.lastAuthorization("/corp-tool/-/corp-tool-1.0.0.tgz"))
                .isEqualTo("Bearer " + corpToken);
        // pub never sees it, and is never asked for corp's names
        assertThat(pubRelay.lastAuthorization("/left-pad")).isEmpty();
        assertThat(pubRelay.lastAuthorization("/left-pad/-/left-pad-1.0.0.tgz")).isEmpty();
        assertThat(pubRelay.count("/corp-tool")).isZero();
        assertThat(corpRelay.count("/left-pad")).isZero();

        // the route other features (audit) ask for
        ProxyService proxy = airlock.airlock.proxy;
        assertThat(proxy.routeFor("corp-tool")).hasValue(URI.create(corpRelay.url() + "/"));
        assertThat(proxy.routeFor("@corp/anything")).hasValue(URI.create(corpRelay.url() + "/"));
        assertThat(proxy.routeFor("left-pad")).hasValue(URI.create(pubRelay.url() + "/"));
        assertThat(proxy.clientFor("left-pad").map(c -> c.hasToken())).hasValue(false);
        assertThat(proxy.clientFor("corp-tool").map(c -> c.hasToken())).hasValue(true);
        assertThat(proxy.routeFor("not a name")).isEmpty();
        assertThat(proxy.upstream()).isEqualTo(corpRelay.url() + "/, " + pubRelay.url() + "/");

        // search covers the packages published here only, and says so
        HttpResponse<byte[]> search = get("-/v1/search?text=left-pad");
        assertThat(Json.parse(search.body()).path("objects").size()).isZero();
        assertThat(search.headers().firstValue("Airlock-Search"))
                .hasValue("local packages only; packages proxied from an upstream registry are not searched");
    }

    @Test
    void aNameNoUpstreamMatchesIsNotProxied() {
        Map<String, String> s = listForm();
        s.remove("proxy.upstreams.2.url"); // corp only
        publish(pub, "left-pad", "1.0.0", "public");
        airlock = TestRegistry.start(s, clock);
        HttpResponse<byte[]> res = get("left-pad");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(text(res)).contains("no entry of proxy.upstreams serves this name");
        assertThat(pubRelay.total() + corpRelay.total()).isZero();
        assertThat(airlock.airlock.proxy.routeFor("left-pad")).isEmpty();
    }

    @Test
    void oneDeadUpstreamDoesNotStopTheOther() {
        publish(pub, "left-pad", "1.0.0", "public");
        airlock = TestRegistry.start(listForm(), clock);
        corpRelay.mode(CountingUpstream.Mode.DOWN);
        for (int i = 0; i < 6; i++) {
            assertThat(get("corp-tool").statusCode()).isEqualTo(502);
        }
        Map<String, ProxyService.Health> health = airlock.airlock.proxy.healthByUpstream();
        assertThat(health.get(corpRelay.url() + "/").breakerOpen()).isTrue();
        assertThat(health.get(pubRelay.url() + "/").breakerOpen()).isFalse();
        assertThat(health.get(pubRelay.url() + "/").failures()).isZero();
        int asked = corpRelay.total();
        assertThat(get("corp-tool").statusCode()).isEqualTo(502);
        assertThat(text(get("@corp%2flib"))).contains("is unreachable").contains(corpRelay.url());
        assertThat(corpRelay.total()).isEqualTo(asked);

        assertThat(versions(get("left-pad"))).containsExactly("1.0.0");
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").statusCode()).isEqualTo(200);
        assertThat(airlock.airlock.proxy.health().breakerOpen()).isTrue(); // any breaker open
    }

    @Test
    void whenANameIsRoutedElsewhereItsCachedCopiesAreNotServed() {
        publish(pub, "corp-tool", "1.0.0", "pub's bytes");
        publish(pub, "corp-tool", "66.0.0", "pub's bytes");
        publish(pub, "left-pad", "1.0.0", "public");
        publish(corp, "corp-tool", "1.0.0", "corp's bytes");
        // first with the short form: every name from pub
        airlock = TestRegistry.start(Map.of("proxy.upstream", pubRelay.url()), clock);
        assertThat(versions(get("corp-tool"))).containsExactly("1.0.0", "66.0.0");
        byte[] fromPub = get("corp-tool/-/corp-tool-1.0.0.tgz").body();
        assertThat(versions(get("left-pad"))).containsExactly("1.0.0");
        Path data = airlock.dataDir;
        airlock.airlock.close();

        // restarted with corp-* routed to corp, which is down at first: pub's copy is not served, not even stale
        airlock = TestRegistry.startOn(data, listForm(), clock);
        corpRelay.mode(CountingUpstream.Mode.DOWN);
        assertThat(get("corp-tool").statusCode()).isEqualTo(502);
        assertThat(get("corp-tool/-/corp-tool-1.0.0.tgz").statusCode()).isEqualTo(502);
        corpRelay.mode(CountingUpstream.Mode.RELAY);
        assertThat(versions(get("corp-tool"))).containsExactly("1.0.0");
        assertThat(get("corp-tool/-/corp-tool-66.0.0.tgz").statusCode()).isEqualTo(404);
        byte[] fromCorp = get("corp-tool/-/corp-tool-1.0.0.tgz").body();
        assertThat(fromCorp).isNotEqualTo(fromPub);
        assertThat(corpRelay.count("/corp-tool/-/corp-tool-1.0.0.tgz")).isEqualTo(1);
        assertThat(pubRelay.count("/corp-tool/-/corp-tool-1.0.0.tgz")).isEqualTo(1);

        // a name still routed to pub keeps its copy: served without asking pub again
        assertThat(versions(get("left-pad"))).containsExactly("1.0.0");
        assertThat(pubRelay.count("/left-pad")).isEqualTo(1);
    }

    @Test
    void anUpstream404IsRememberedForNotFoundSeconds() {
        airlock = TestRegistry.start(Map.of("proxy.upstream", pubRelay.url(), "proxy.notFoundSeconds", "60"), clock);
        assertThat(get("not-yet").statusCode()).isEqualTo(404);
        assertThat(get("not-yet").statusCode()).isEqualTo(404);
        assertThat(get("not-yet/-/not-yet-1.0.0.tgz").statusCode()).isEqualTo(404);
        assertThat(get("not-yet/1.0.0").statusCode()).isEqualTo(404);
        assertThat(pubRelay.count("/not-yet")).isEqualTo(1);

        publish(pub, "not-yet", "1.0.0", "published meanwhile");
        clock.advance(Duration.ofSeconds(59));
        assertThat(get("not-yet").statusCode()).isEqualTo(404);
        assertThat(pubRelay.count("/not-yet")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(versions(get("not-yet"))).containsExactly("1.0.0");
        assertThat(pubRelay.count("/not-yet")).isEqualTo(2);
    }

    @Test
    void withNotFoundSecondsZeroEveryMissAsks() {
        airlock = TestRegistry.start(Map.of("proxy.upstream", pubRelay.url(), "proxy.notFoundSeconds", "0"), clock);
        get("nothing");
        get("nothing");
        assertThat(pubRelay.count("/nothing")).isEqualTo(2);
    }

    @Test
    void scopesOfLocalUsersAreNeverFetched() {
        pub.createOrg("alice", "bob"); // an attacker registers the scope upstream
        publish(pub, "@alice/utils", "99.0.0", "attacker");
        airlock = TestRegistry.start(Map.of("proxy.upstream", pubRelay.url()), clock);
        airlock.addUser("alice", "alice-password-long");
        HttpResponse<byte[]> res = get("@alice%2futils");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(text(res)).contains("its scope @alice is a user of this registry");
        assertThat(get("@alice/utils/-/utils-99.0.0.tgz").statusCode()).isEqualTo(404);
        assertThat(pubRelay.total()).isZero();
        assertThat(airlock.airlock.proxy.routeFor("@alice/utils")).isEqualTo(Optional.empty());
        // a scope that is no user or org here is fetched
        assertThat(airlock.airlock.proxy.routeFor("@bob/utils")).isPresent();
    }

    @Test
    void proxyRulesListsBlocksAndAllowsAndWhyWorksWithTheListForm() throws Exception {
        publish(pub, "left-pad", "1.0.0", "public");
        publish(corp, "corp-tool", "1.0.0", "corp's");
        airlock = TestRegistry.start(listForm(), clock);
        Path config = Files.createTempFile("airlock-proxy", ".yaml");
        Files.writeString(config, """
                proxy:
                  upstreams:
                    - url: %s
                      token: %s
                      match:
                        - "@corp/*"
                        - corp-*
                    - url: %s
                """.formatted(corpRelay.url(), corpToken, pubRelay.url()));
        String[] at = {"--data", airlock.dataDir.toString(), "--config", config.toString()};
        assertThat(run(at, "proxy", "rules")).isEqualTo("exit=0\nNo blocks or allows (proxy block, proxy allow)\n");
        assertThat(run(at, "proxy", "block", "left-pad@<1.1.0", "--reason", "CVE-2026-7"))
                .startsWith("exit=0\nBlocked");
        assertThat(run(at, "proxy", "allow", "corp-tool@1.0.0")).startsWith("exit=0\nAllowed");
        assertThat(run(at, "proxy", "rules")).matches("""
                        exit=0
                        allow corp-tool@1\\.0\\.0 \\(by @cli at 20[0-9T:.-]+Z\\)
                        block left-pad@<1\\.1\\.0 because CVE-2026-7 \\(by @cli at 20[0-9T:.-]+Z\\)
                        """);
        assertThat(run(at, "proxy", "rules", "left-pad")).startsWith("exit=0\nblock left-pad@<1.1.0 because");
        assertThat(run(at, "proxy", "rules", "right-pad"))
                .isEqualTo("exit=0\nNo blocks or allows for right-pad (proxy block, proxy allow)\n");
        // why fetches through the list's routing: corp-tool from corp with its token
        assertThat(run(at, "proxy", "why", "corp-tool@1.0.0"))
                .startsWith("exit=0\ncorp-tool@1.0.0 is served: allowed early by @cli at ");
        assertThat(run(at, "proxy", "why", "left-pad@1.0.0"))
                .startsWith("exit=0\nleft-pad@1.0.0 is blocked by <1.1.0 because CVE-2026-7");
        assertThat(get("left-pad/-/left-pad-1.0.0.tgz").statusCode()).isEqualTo(404);
        Files.delete(config);
    }

    private static String run(String[] at, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + at.length);
        System.arraycopy(at, 0, all, args.length, at.length);
        return AirlockCommand.run("", all);
    }

    @Test
    void theConfigurationTakesOneFormAndSaysWhatIsWrong() throws Exception {
        Path dir = Files.createTempDirectory("airlock-config");
        Path yaml = dir.resolve("airlock.yaml");
        Files.writeString(yaml, """
                proxy:
                  timeoutSeconds: 7
                  upstreams:
                    - url: https://npm.corp.example/
                      match: ["@corp/*", corp-*]
                      maxAgeSeconds: 30
                    - url: https://registry.npmjs.org
                """);
        Map<String, String> env = Map.of("AIRLOCK_PROXY_UPSTREAMS_1_TOKEN", "s3cret");
        AirlockConfig.Proxy p = ConfigLoader.load(yaml, env, Map.of()).proxy();
        assertThat(p.routes())
                .containsExactly(
                        new AirlockConfig.Upstream(
                                "https://npm.corp.example/", "s3cret", 30, 7, List.of("@corp/*", "corp-*")),
                        new AirlockConfig.Upstream("https://registry.npmjs.org", "", 300, 7, List.of()));
        assertThat(p.toString()).doesNotContain("s3cret").contains("token set");
        assertThat(p.notFoundSeconds()).isEqualTo(60);

        // the short form is one upstream for every name
        AirlockConfig.Proxy shortForm = ConfigLoader.load(
                        null, Map.of("AIRLOCK_PROXY_UPSTREAM", "https://registry.npmjs.org"), Map.of())
                .proxy();
        assertThat(shortForm.routes())
                .containsExactly(new AirlockConfig.Upstream("https://registry.npmjs.org", "", 300, 30, List.of()));

        assertThatThrownBy(() -> ConfigLoader.load(
                        yaml, Map.of("AIRLOCK_PROXY_UPSTREAM", "https://registry.npmjs.org"), Map.of()))
                .hasMessage("Set proxy.upstream (one upstream for every name) or proxy.upstreams (a list, each with"
                        + " the names it serves), not both");
        assertThat(error(dir, "  upstreams:\n    - url: ftp://x\n"))
                .isEqualTo("proxy.upstreams entry 1: an upstream must be an absolute http(s) URL: ftp://x");
        assertThat(error(dir, "  upstreams:\n    - url: https://a.example\n      match: [\"a*b\"]\n"))
                .startsWith("proxy.upstreams entry 1: proxy.upstreams.1.match takes package names");
        assertThat(error(dir, "  upstreams:\n    - url: https://a.example\n    - match: [x]\n"))
                .isEqualTo("proxy.upstreams entry 2 has no url");
        assertThat(error(dir, "  upstreams:\n    - https://a.example\n")).contains("entry 1 is not a mapping");
        assertThat(error(dir, "  upstreams:\n    - url: https://a.example\n      tokenEnv: X\n"))
                .startsWith("Unknown configuration key in " + dir.resolve("bad.yaml") + ": proxy.upstreams.1.tokenEnv");
        assertThat(error(dir, "  token: t\n  upstreams:\n    - url: https://a.example\n"))
                .startsWith("proxy.token goes with proxy.upstream");
        assertThat(error(dir, "  upstreams: https://a.example\n")).contains("takes a list of upstreams");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null, Map.of("AIRLOCK_PROXY_UPSTREAMS_2_URL", "https://registry.npmjs.org"), Map.of()))
                .hasMessage("proxy.upstreams entry 1 is missing, but there is an entry 2 (entries are numbered from 1"
                        + " without gaps)");
    }

    private static String error(Path dir, String proxyBody) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "proxy:\n" + proxyBody);
        try {
            ConfigLoader.load(bad, Map.of(), Map.of());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + proxyBody);
    }
}
