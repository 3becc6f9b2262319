package dev.airlock.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.oidc.NAME.* and auth.passwordSignIn (docs/sso.md): flags, environment, YAML, defaults, refusals. */
class OidcConfigTest {
    @TempDir
    Path tmp;

    @Test
    void noProvidersAndPasswordsByDefault() {
        AirlockConfig.Auth auth = ConfigLoader.load(null, Map.of(), Map.of()).auth();
        assertThat(auth.oidc()).isEmpty();
        assertThat(auth.passwordSignIn()).isTrue();
    }

    @Test
    void providersFromFlagsWithDefaults() {
        AirlockConfig.Auth auth = ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "auth.passwordSignIn", "false",
                                "auth.oidc.corp.issuer", "https://idp.example.com/realms/eng",
                                "auth.oidc.corp.clientId", "airlock",
                                "auth.oidc.corp.presenceAmr", "hwk, phr",
                                "auth.oidc.corp.maxSessionAge", "PT8H"))
                .auth();
        assertThat(auth.passwordSignIn()).isFalse();
        OidcConfig.Provider p = auth.oidc().get(0);
        assertThat(p.name()).isEqualTo("corp");
        assertThat(p.scopes()).containsExactly("openid", "profile", "email");
        assertThat(p.usernameClaim()).isEqualTo("preferred_username");
        assertThat(p.groupsClaim()).isEqualTo("groups");
        assertThat(p.label()).isEqualTo("corp");
        assertThat(p.presenceAmr()).containsExactly("hwk", "phr");
        assertThat(p.presenceAcr()).isEmpty();
        assertThat(p.maxSessionAge()).isEqualTo(Duration.ofHours(8));
        assertThat(p.toString()).doesNotContain("secret");
    }

    @Test
    void providersFromTheEnvironmentAndYaml() throws Exception {
        AirlockConfig.Auth env = ConfigLoader.load(
                        null,
                        Map.of(
                                "AIRLOCK_AUTH_OIDC_OKTA_ISSUER", "https://corp.okta.com/oauth2/default",
                                "AIRLOCK_AUTH_OIDC_OKTA_CLIENT_ID", "0oa1",
                                "AIRLOCK_AUTH_OIDC_OKTA_CLIENT_SECRET", "s3cret",
                                "AIRLOCK_AUTH_OIDC_OKTA_USERNAME_CLAIM", "npm_username",
                                "AIRLOCK_AUTH_PASSWORD_SIGN_IN", "false"),
                        Map.of())
                .auth();
        assertThat(env.passwordSignIn()).isFalse();
        assertThat(env.oidc().get(0).clientSecret()).isEqualTo("s3cret");
        assertThat(env.oidc().get(0).usernameClaim()).isEqualTo("npm_username");

        Path yaml = Files.writeString(tmp.resolve("airlock.yaml"), """
                auth:
                  oidc:
                    gitlab:
                      issuer: https://gitlab.com
                      clientId: abc
                      displayName: GitLab
                      groupsClaim: groups_direct
                      scopes:
                        - openid
                        - profile
                """);
        OidcConfig.Provider g =
                ConfigLoader.load(yaml, Map.of(), Map.of()).auth().oidc().get(0);
        assertThat(g.scopes()).isEqualTo(List.of("openid", "profile"));
        assertThat(g.label()).isEqualTo("GitLab");
        assertThat(g.groupsClaim()).isEqualTo("groups_direct");
    }

    @Test
    void refusesIncompleteOrWrongProviders() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("auth.oidc.corp.clientId", "x")))
                .hasMessageContaining("auth.oidc.corp.issuer");
        assertThatThrownBy(() ->
                        ConfigLoader.load(null, Map.of(), Map.of("auth.oidc.corp.issuer", "https://idp.example.com")))
                .hasMessageContaining("auth.oidc.corp.clientId is required");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "auth.oidc.corp.issuer", "https://idp.example.com",
                                "auth.oidc.corp.clientId", "x",
                                "auth.oidc.corp.scopes", "profile email")))
                .hasMessageContaining("must contain openid");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("auth.oidc.corp.redirectUri", "https://x")))
                .hasMessageContaining("Unknown configuration");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "auth.oidc.corp.issuer", "https://idp.example.com",
                                "auth.oidc.corp.clientId", "x",
                                "auth.oidc.corp.maxSessionAge", "8h")))
                .hasMessageContaining("ISO-8601");
    }
}
