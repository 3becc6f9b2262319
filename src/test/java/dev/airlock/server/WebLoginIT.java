package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Http;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** npm's web login at the HTTP level: the shapes npm needs, one-time collection, 2FA, expiry. */
class WebLoginIT {
    static int form(String url, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void aBrowserSignInHandsTheCliATokenOnce() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String session = registry.userWithToken("walt");
            Authenticator app = registry.enableTwoFactor("walt", session, "auth-only");
            Http.Response start =
                    registry.http.send("POST", "-/v1/login", null, "{}", "User-Agent", "npm/11.19.1 <b>node</b>");
            assertThat(start.status()).isEqualTo(200);
            String loginUrl = start.json().path("loginUrl").asText();
            // issue 10: the login page shows where and when the request came from (the client's text escaped)
            String page = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(registry.consoleUrl()
                                            + loginUrl.substring(registry.url().length())))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(page)
                    .contains("<code id=\"origin-address\">127.0.0.1</code>")
                    .contains("<code id=\"origin-agent\">npm/11.19.1 &lt;b&gt;node&lt;/b&gt;</code>")
                    .contains("id=\"origin-time\"");
            String doneUrl = start.json().path("doneUrl").asText();
            assertThat(loginUrl).startsWith(registry.url() + "-/console/web-login/");
            String done = doneUrl.substring(registry.url().length());

            Http.Response pending = registry.http.get(done, null);
            assertThat(pending.status()).isEqualTo(202);
            assertThat(pending.header("Retry-After")).isEqualTo("1");
            assertThat(pending.json().isObject()).isTrue();

            assertThat(form(loginUrl, "username=walt&password=wrong-password&otp="))
                    .isEqualTo(401);
            assertThat(form(loginUrl, "username=walt&password=walt-password&otp="))
                    .as("2FA asks for a code")
                    .isEqualTo(401);
            assertThat(registry.http.get(done, null).status()).isEqualTo(202);
            assertThat(form(loginUrl, "username=walt&password=walt-password&otp=" + app.next()))
                    .isEqualTo(200);

            // npm polls with the method of the original request (e.g. PUT for dist-tag web OTP): any method answers
            Http.Response collected = registry.http.send("PUT", done, null, "\"1.0.0\"");
            assertThat(collected.status()).isEqualTo(200);
            String token = collected.json().path("token").asText();
            assertThat(registry.http
                            .get("-/whoami", token)
                            .json()
                            .path("username")
                            .asText())
                    .isEqualTo("walt");
            assertThat(registry.http.get(done, null).status())
                    .as("collected once")
                    .isEqualTo(404);
            assertThat(form(loginUrl, "username=walt&password=walt-password&otp=" + app.next()))
                    .isEqualTo(404);

            assertThat(registry.http
                            .post("-/v1/login", null, "{\"create\":true}")
                            .status())
                    .as("adduser falls back")
                    .isEqualTo(404);
            String stale = registry.http
                    .post("-/v1/login", null, "{}")
                    .json()
                    .path("doneUrl")
                    .asText()
                    .substring(registry.url().length());
            registry.clock.advance(Duration.ofMinutes(11));
            assertThat(registry.http.get(stale, null).status()).isEqualTo(404);
        }
    }
}
