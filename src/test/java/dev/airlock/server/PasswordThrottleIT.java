package dev.airlock.server;

import static dev.airlock.testing.Expect.fails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Cli;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password guessing is throttled on every way a password is checked: npm's couch login, Basic credentials, the
 * console's sign-in form. Limit 3 per account and address here (the default is 10), 30 per account from all
 * addresses; the loopback address is a trusted proxy so that X-Forwarded-For can play several addresses.
 */
class PasswordThrottleIT {
    @TempDir
    Path tmp;

    static TestRegistry start(MutableClock clock) {
        return TestRegistry.start(
                Map.of(
                        "auth.maxPasswordFailures",
                        "3",
                        "auth.passwordFailureWindowMinutes",
                        "15",
                        "server.trustedProxies",
                        "127.0.0.1"),
                clock);
    }

    static Http.Response couch(TestRegistry registry, String user, String password, String from) {
        return registry.http.send(
                "PUT",
                "-/user/org.couchdb.user:" + user,
                null,
                "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}",
                "X-Forwarded-For",
                from);
    }

    @Test
    void guessesFromOneAddressAreCutOffWhileTheOwnerElsewhereCanStillSignIn() {
        MutableClock clock = new MutableClock();
        try (TestRegistry registry = start(clock)) {
            registry.addUser("gina", "gina-password");
            for (int i = 0; i < 3; i++) {
                Http.Response wrong = couch(registry, "gina", "guess-" + i, "203.0.113.7");
                assertThat(wrong.status()).isEqualTo(401);
                assertThat(wrong.error()).isEqualTo("Incorrect username or password.");
            }
            // the fourth try is refused before the password is looked at: even the right one
            Http.Response blocked = couch(registry, "gina", "gina-password", "203.0.113.7");
            assertThat(blocked.status()).isEqualTo(429);
            assertThat(blocked.error())
                    .startsWith("Too many wrong passwords for this account from your address. Try again in ");
            assertThat(Long.parseLong(blocked.header("Retry-After"))).isBetween(890L, 900L);
            // the owner, elsewhere, is not locked out, and their success does not lift the block on the guesser
            assertThat(couch(registry, "gina", "gina-password", "198.51.100.20").status())
                    .isEqualTo(201);
            assertThat(couch(registry, "gina", "gina-password", "203.0.113.7").status())
                    .isEqualTo(429);
            // other accounts are not affected from that address
            registry.addUser("hugo", "hugo-password");
            assertThat(couch(registry, "hugo", "hugo-password", "203.0.113.7").status())
                    .isEqualTo(201);

            // failures are audited for existing accounts, with the address
            var events = registry.airlock.audit.forTarget("user:gina").stream()
                    .filter(e -> e.action().equals("user.login")
                            && e.outcome().equals("failure")
                            && "wrong password".equals(e.detail().get("reason")))
                    .toList();
            assertThat(events).hasSize(3);
            assertThat(events).allSatisfy(e -> assertThat(e.source()).isEqualTo("203.0.113.7"));

            // once the oldest failure is older than the window, one more try is allowed
            clock.advance(Duration.ofMinutes(15).plusSeconds(1));
            assertThat(couch(registry, "gina", "gina-password", "203.0.113.7").status())
                    .isEqualTo(201);
            // the three aged-out failures are what the maintenance task purges
            assertThat(registry.airlock.users.purgePasswordFailures()).isEqualTo(3);
            assertThat(registry.airlock.users.purgePasswordFailures()).isZero();
        }
    }

    @Test
    void manyAddressesTogetherLockTheAccountForTheWindow() {
        MutableClock clock = new MutableClock();
        try (TestRegistry registry = start(clock)) {
            registry.addUser("ivan", "ivan-password");
            for (int i = 0; i < 30; i++) {
                assertThat(couch(registry, "ivan", "guess", "192.0.2." + (i / 2))
                                .status())
                        .isEqualTo(401);
            }
            Http.Response locked = couch(registry, "ivan", "ivan-password", "198.51.100.99");
            assertThat(locked.status()).isEqualTo(429);
            assertThat(locked.error()).startsWith("Too many wrong passwords for this account. Try again in ");
            // passwords for unknown names (Basic credentials) are throttled the same way, and are not audited
            String basic =
                    "Basic " + Base64.getEncoder().encodeToString("nobody:guess".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                assertThat(registry.http
                                .send(
                                        "GET",
                                        "-/whoami",
                                        null,
                                        null,
                                        "Authorization",
                                        basic,
                                        "X-Forwarded-For",
                                        "192.0.2.200")
                                .status())
                        .isEqualTo(401);
            }
            assertThat(registry.http
                            .send(
                                    "GET",
                                    "-/whoami",
                                    null,
                                    null,
                                    "Authorization",
                                    basic,
                                    "X-Forwarded-For",
                                    "192.0.2.200")
                            .status())
                    .isEqualTo(429);
            assertThat(registry.airlock.audit.forTarget("user:nobody")).isEmpty();

            clock.advance(Duration.ofMinutes(16));
            assertThat(registry.airlock.users.purgePasswordFailures()).isEqualTo(33);
            assertThat(couch(registry, "ivan", "ivan-password", "198.51.100.99").status())
                    .isEqualTo(201);
        }
    }

    @Test
    void basicCredentialsAndTheConsoleFormCountToo() throws Exception {
        try (TestRegistry registry = start(new MutableClock())) {
            registry.addUser("jill", "jill-password");
            String session = registry.login("jill", "jill-password");
            String wrong = "Basic " + Base64.getEncoder().encodeToString("jill:nope".getBytes(StandardCharsets.UTF_8));
            String right = "Basic "
                    + Base64.getEncoder().encodeToString("jill:jill-password".getBytes(StandardCharsets.UTF_8));
            // two wrong, then the right one: the address starts again from zero
            for (int i = 0; i < 2; i++) {
                assertThat(registry.http
                                .send("GET", "-/whoami", null, null, "Authorization", wrong)
                                .status())
                        .isEqualTo(401);
            }
            assertThat(registry.http
                            .send("GET", "-/whoami", null, null, "Authorization", right)
                            .status())
                    .isEqualTo(200);
            for (int i = 0; i < 2; i++) {
                assertThat(registry.http
                                .send("GET", "-/whoami", null, null, "Authorization", wrong)
                                .status())
                        .isEqualTo(401);
            }
            // the third wrong password comes through the console's sign-in form
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> form = client.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "-/console/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("username=jill&password=nope&otp="))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(401);
            HttpResponse<String> blockedForm = client.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "-/console/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("username=jill&password=jill-password&otp="))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(blockedForm.statusCode()).isEqualTo(429);
            assertThat(blockedForm.body()).contains("Too many wrong passwords for this account from your address");
            Http.Response blockedBasic = registry.http.send("GET", "-/whoami", null, null, "Authorization", right);
            assertThat(blockedBasic.status()).isEqualTo(429);
            assertThat(blockedBasic.header("Retry-After")).isNotNull();
            // a token is not a password: sessions already issued keep working
            assertThat(registry.http
                            .get("-/whoami", session)
                            .json()
                            .path("username")
                            .asText())
                    .isEqualTo("jill");
        }
    }

    @Test
    void npmLoginShowsWhyItIsRefused() {
        try (TestRegistry registry = start(new MutableClock())) {
            registry.addUser("lena", "lena-password");
            Npm npm = new Npm(tmp.resolve("lena-home"), registry.url());
            for (int i = 0; i < 3; i++) {
                fails(
                        npm.run(
                                tmp,
                                Cli.answers("Username:", "lena", "Password:", "wrong-password"),
                                "login",
                                "--auth-type=legacy"),
                        "Incorrect username or password");
            }
            fails(
                    npm.run(
                            tmp,
                            Cli.answers("Username:", "lena", "Password:", "lena-password"),
                            "login",
                            "--auth-type=legacy"),
                    "Too many wrong passwords for this account from your address. Try again in");
        }
    }
}
