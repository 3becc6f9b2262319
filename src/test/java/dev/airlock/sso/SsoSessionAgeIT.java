package dev.airlock.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditEvent;
import dev.airlock.shared.Actor;
import dev.airlock.testing.Cli;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOpenIdProvider;
import dev.airlock.testing.TestOpenIdProvider.Agent;
import dev.airlock.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 section 3 without SCIM: {@code auth.oidc.NAME.maxSessionAge}. Once that long has passed since a person's
 * last sign-in through the provider, every credential they hold (console session, npm token) stops working, the real
 * npm CLI says why and what to do, the periodic re-check records the lapse once, and a new sign-in through the
 * provider (where a person the provider deactivated would be refused) makes the same credentials work again. The
 * registry's clock is moved on; the provider's ID tokens stay valid (they live ten minutes, the session age is five).
 */
class SsoSessionAgeIT {
    static final String SECRET = "airlock-client-secret";
    static final MutableClock clock = new MutableClock();
    static TestOpenIdProvider idp;
    static TestRegistry registry;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        int port = TestOpenIdProvider.reservePort();
        registry = TestRegistry.start(
                Map.of(
                        "auth.oidc.corp.issuer",
                        TestOpenIdProvider.issuerFor(port),
                        "auth.oidc.corp.clientId",
                        "airlock",
                        "auth.oidc.corp.clientSecret",
                        SECRET,
                        "auth.oidc.corp.maxSessionAge",
                        "PT5M"),
                clock);
        idp = new TestOpenIdProvider(
                port,
                List.of(new TestOpenIdProvider.Client(
                        "airlock", SECRET, List.of(registry.consoleUrl() + "-/console/sso/callback"))),
                Map.of("ivan-sub", Map.of("preferred_username", "ivan", "email", "ivan@corp.example")));
    }

    @AfterAll
    static void stop() {
        TestOpenIdProvider.stop(registry, idp);
    }

    static Agent signedIn(String subject) {
        return idp.signedIn(registry, "corp", subject);
    }

    static List<String> actions(String target) {
        return registry.airlock.audit.forTarget(target).stream()
                .map(AuditEvent::action)
                .toList();
    }

    @Test
    void credentialsLapseAfterTheMaximumSessionAgeUntilTheNextSignInThroughTheProvider() {
        Agent ivan = signedIn("ivan-sub");
        String token = registry.airlock
                .db
                .write(tx -> registry.airlock.tokens.issueSession(tx, Actor.operator(), "ivan"))
                .secret();
        Npm npm = Npm.withToken(tmp.resolve("ivan-home"), registry.url(), token);
        assertThat(npm.run(tmp, "whoami").stdout().trim()).isEqualTo("ivan");
        assertThat(ivan.get(registry.consoleUrl() + "-/console/").statusCode()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(4));
        assertThat(registry.http.get("-/whoami", token).status()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        var refused = registry.http.get("-/whoami", token);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error()).contains("The single sign-on of \"ivan\" has lapsed");
        Cli.Result who = npm.run(tmp, "whoami");
        assertThat(who.exit()).isNotZero();
        assertThat(who.all()).contains("has lapsed").contains("Run `npm login`");
        // the console session too: back to the sign-in page
        HttpResponse<String> console = ivan.get(registry.consoleUrl() + "-/console/");
        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(Agent.location(console)).contains("/-/console/login");

        // the periodic re-check records the lapse, once (however often it runs, on however many nodes)
        registry.airlock.sso.recordLapses();
        registry.airlock.sso.recordLapses();
        assertThat(actions("user:ivan").stream().filter("sso.lapsed"::equals)).hasSize(1);

        // a new sign-in through the provider: the same token works again, for another five minutes
        signedIn("ivan-sub");
        assertThat(npm.run(tmp, "whoami").stdout().trim()).isEqualTo("ivan");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(registry.http.get("-/whoami", token).status()).isEqualTo(401);
        registry.airlock.sso.recordLapses();
        assertThat(actions("user:ivan").stream().filter("sso.lapsed"::equals)).hasSize(2);
    }
}
