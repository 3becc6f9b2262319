package dev.airlock.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bounded label values, and the metrics configuration (docs/metrics.md). */
class MetricLabelsTest {
    @Test
    void exchangeDenialsAreClassesNeverTheText() {
        // the reasons TrustService and OidcVerifier give, as recorded in the oidc.exchange failure events
        assertThat(DenialReason.of("no ID token")).isEqualTo("missing-token");
        assertThat(DenialReason.of("not a signed JWT: Invalid serialized")).isEqualTo("malformed");
        assertThat(DenialReason.of("issuer https://evil.example is not configured"))
                .isEqualTo("unknown-issuer");
        assertThat(DenialReason.of("cannot fetch JWKS https://x/jwks: timeout")).isEqualTo("jwks-unavailable");
        assertThat(DenialReason.of("JWKS https://x/jwks answered 500")).isEqualTo("jwks-unavailable");
        assertThat(DenialReason.of("algorithm HS256 is not allowed")).isEqualTo("signature");
        assertThat(DenialReason.of("bad signature")).isEqualTo("signature");
        assertThat(DenialReason.of("unknown kid k9")).isEqualTo("signature");
        assertThat(DenialReason.of("the token has no kid")).isEqualTo("signature");
        assertThat(DenialReason.of("audience [x] is not exactly [npm:registry]"))
                .isEqualTo("audience");
        assertThat(DenialReason.of("expired or no exp")).isEqualTo("time");
        assertThat(DenialReason.of("not valid yet (nbf)")).isEqualTo("time");
        assertThat(DenialReason.of("ID token abc was already used")).isEqualTo("replay");
        assertThat(DenialReason.of("package lib has no trust relationship")).isEqualTo("no-trust-relationship");
        assertThat(DenialReason.of("issuer type gitlab does not match relationship type github"))
                .isEqualTo("issuer-type-mismatch");
        assertThat(DenialReason.of("repository mallory/lib does not match alice/lib"))
                .isEqualTo("claims-mismatch");
        assertThat(DenialReason.of(null)).isEqualTo("other");
    }

    @Test
    void theOrgLabelIsTheScope() {
        assertThat(AuditMetrics.org("@acme/lib")).isEqualTo("acme");
        assertThat(AuditMetrics.org("lib")).isEmpty();
    }

    @Test
    void configurationFromTheEnvironmentNeverShowsTheToken() {
        String token = "s3cr3t-0123456789abcdef";
        var on = ConfigLoader.load(
                        null,
                        Map.of("AIRLOCK_METRICS_ENABLED", "true", "AIRLOCK_METRICS_TOKEN", token),
                        Map.of("data.dir", "/tmp/airlock-metrics-config"))
                .metrics();
        assertThat(on.enabled()).isTrue();
        assertThat(on.token()).isEqualTo(token);
        assertThat(on.toString()).doesNotContain(token).contains("token set");
        var off = ConfigLoader.load(null, Map.of(), Map.of("data.dir", "/tmp/airlock-metrics-config"))
                .metrics();
        assertThat(off.enabled()).isFalse();
        assertThat(off.token()).isEmpty();
        assertThatThrownBy(() ->
                        ConfigLoader.load(null, Map.of("AIRLOCK_METRICS_TOKEN", "short"), Map.of("data.dir", "/tmp/x")))
                .hasMessageContaining("metrics.token must be at least 16")
                .hasMessageNotContaining("short");
    }
}
