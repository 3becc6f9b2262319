package dev.airlock.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.Http;
import dev.airlock.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /-/airlock/v1/token answers for the presented bearer token only, for each kind of credential; 401 otherwise. */
class TokenIntrospectionIT {
    static TestRegistry registry;
    static String session;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        session = registry.userWithToken("ivy");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static String create(String body) {
        Http.Response r = registry.http.post("-/npm/v1/tokens", session, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("token").asText();
    }

    static JsonNode introspect(String token) {
        Http.Response r = registry.http.get("-/airlock/v1/token", token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(token).doesNotContain(TokenService.keyOf(token));
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        return r.json();
    }

    @Test
    void aSessionActsWithAllOfItsOwnersRights() {
        JsonNode t = introspect(session);
        assertThat(t.path("type").asText()).isEqualTo("session");
        assertThat(t.path("user").asText()).isEqualTo("ivy");
        assertThat(t.path("bypass2fa").asBoolean()).isFalse();
        assertThat(t.path("scopes").isNull()).isTrue();
        assertThat(t.path("cidr").size()).isZero();
        assertThat(t.path("expires").asText()).isNotEmpty();
        assertThat(t.path("id").asText()).isEqualTo(TokenService.keyOf(session).substring(0, 16));
        assertThat(t.path("permissions").path("publish").asBoolean()).isTrue();
    }

    @Test
    void aReadOnlyGranularTokenCannotWrite() {
        String token = create("{\"password\":\"ivy-password\",\"name\":\"ci-read\",\"packages_all\":true,"
                + "\"packages_and_scopes_permission\":\"read-only\",\"expires\":7}");
        JsonNode t = introspect(token);
        assertThat(t.path("type").asText()).isEqualTo("granular");
        assertThat(t.path("name").asText()).isEqualTo("ci-read");
        assertThat(t.path("scopes").path("allPackages").asBoolean()).isTrue();
        assertThat(t.path("scopes").path("packagesPermission").asText()).isEqualTo("read-only");
        assertThat(t.path("permissions").path("read").asBoolean()).isTrue();
        assertThat(t.path("permissions").path("write").asBoolean()).isFalse();
        assertThat(t.path("permissions").path("publish").asBoolean()).isFalse();
        assertThat(t.path("expires").isTextual()).isTrue();
    }

    @Test
    void aBypassTokenSaysSoWithItsCidrAndCanStage() {
        String token =
                create("{\"password\":\"ivy-password\",\"bypass_2fa\":true,\"cidr_whitelist\":[\"127.0.0.0/8\"]}");
        JsonNode t = introspect(token);
        assertThat(t.path("bypass2fa").asBoolean()).isTrue();
        assertThat(t.path("cidr").get(0).asText()).isEqualTo("127.0.0.0/8");
        assertThat(t.path("permissions").path("stage").asBoolean()).isTrue();
        assertThat(t.path("scopes").path("packagesPermission").asText()).isEqualTo("read-write");
    }

    @Test
    void anythingButALiveBearerTokenIs401() {
        assertThat(registry.http.get("-/airlock/v1/token", null).status()).isEqualTo(401);
        assertThat(registry.http.get("-/airlock/v1/token", "npm_notatoken").status())
                .isEqualTo(401);
        String basic = Base64.getEncoder().encodeToString("ivy:ivy-password".getBytes(StandardCharsets.UTF_8));
        Http.Response r = registry.http.get("-/airlock/v1/token", null, "Authorization", "Basic " + basic);
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.error()).contains("Bearer");
        String revoked = create("{\"password\":\"ivy-password\"}");
        assertThat(registry.http
                        .delete("-/npm/v1/tokens/token/" + revoked, session)
                        .status())
                .isEqualTo(204);
        assertThat(registry.http.get("-/airlock/v1/token", revoked).status()).isEqualTo(401);
    }
}
