package dev.airlock.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ConfigTest {
    @Test
    void noBucketMeansTheFilesystemStore() {
        AirlockConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.s3().enabled()).isFalse();
        assertThat(c.s3().region()).isEqualTo("us-east-1");
    }

    @Test
    void theKeysComeFromTheEnvironmentAndSurviveTheBoundPort() {
        AirlockConfig c = ConfigLoader.load(
                null,
                Map.of(
                        "AIRLOCK_BLOBS_S3_BUCKET", "tarballs",
                        "AIRLOCK_BLOBS_S3_ENDPOINT", "http://127.0.0.1:9000",
                        "AIRLOCK_BLOBS_S3_REGION", "eu-west-1",
                        "AIRLOCK_BLOBS_S3_PATH_STYLE", "true",
                        "AIRLOCK_BLOBS_S3_ACCESS_KEY", "AKID",
                        "AIRLOCK_BLOBS_S3_SECRET_KEY", "very-secret",
                        "AIRLOCK_BLOBS_S3_PREFIX", "airlock"),
                Map.of());
        S3Config s3 = c.withBoundPort(4999, true).s3();
        assertThat(s3)
                .isEqualTo(new S3Config(
                        "tarballs", "http://127.0.0.1:9000", "eu-west-1", true, "AKID", "very-secret", "airlock/"));
        assertThat(s3.enabled()).isTrue();
        assertThat(s3.toString()).contains("AKID").doesNotContain("very-secret");
    }

    @Test
    void mistakesAreRefusedWithTheKeyName() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("blobs.s3.pathStyle", "yes")))
                .hasMessageContaining("blobs.s3.pathStyle must be true or false");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null, Map.of(), Map.of("blobs.s3.bucket", "b", "blobs.s3.endpoint", "minio:9000")))
                .hasMessageContaining("blobs.s3.endpoint must be an http(s) URL");
        assertThatThrownBy(() ->
                        ConfigLoader.load(null, Map.of(), Map.of("blobs.s3.bucket", "b", "blobs.s3.accessKey", "AKID")))
                .hasMessageContaining("set both");
    }

    @Test
    void theUrlFormOfMigrate() {
        S3Config s3 = S3Config.fromUrl(
                "s3://tarballs/airlock/prod?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1&pathStyle=true",
                Map.of("AIRLOCK_BLOBS_S3_ACCESS_KEY", "AKID", "AIRLOCK_BLOBS_S3_SECRET_KEY", "secret"));
        assertThat(s3)
                .isEqualTo(new S3Config(
                        "tarballs", "http://127.0.0.1:9000", "eu-west-1", true, "AKID", "secret", "airlock/prod/"));
        assertThat(S3Config.fromUrl("s3://tarballs", Map.of()))
                .isEqualTo(new S3Config("tarballs", "", "us-east-1", false, "", "", ""));
        assertThatThrownBy(() -> S3Config.fromUrl("s3://tarballs?bucket=x", Map.of()))
                .hasMessageContaining("unknown parameter \"bucket\"");
        assertThatThrownBy(() -> S3Config.fromUrl("/var/lib/airlock/blobs", Map.of()))
                .hasMessageContaining("s3://BUCKET");
    }
}
