package dev.airlock.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Http;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** /-/health/live and /-/health/ready over real HTTP: ready, then not ready when the blob store or database fails. */
class HealthIT {
    @Test
    void readyWhileTheDatabaseAndBlobStoreServeNotReadyWhenTheBlobStoreFails() throws Exception {
        try (TestRegistry r = TestRegistry.start(Map.of("metrics.enabled", "true"))) {
            Http.Response live = r.http.get("-/health/live", null);
            assertThat(live.status()).isEqualTo(200);
            assertThat(live.json().path("status").asText()).isEqualTo("live");
            Http.Response ready = r.http.get("-/health/ready", null);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
            assertThat(ready.header("Cache-Control")).isEqualTo("no-store");

            // the blob store's directory becomes a file: nothing can be stored (root ignores permissions, not this)
            Path blobs = r.dataDir.resolve("blobs");
            Path moved = r.dataDir.resolve("blobs.away");
            Files.move(blobs, moved);
            Files.writeString(blobs, "not a directory");
            Http.Response down = awaitStatus(r, 503);
            assertThat(down.json().path("status").asText()).isEqualTo("not ready");
            assertThat(down.json().path("error").asText()).startsWith("the blob store cannot store");
            assertThat(r.http.get("-/health/live", null).status())
                    .as("still live")
                    .isEqualTo(200);

            Files.delete(blobs);
            Files.move(moved, blobs);
            awaitStatus(r, 200);

            // probes are not requests in the metrics (a 503 would look like an error)
            assertThat(r.http.get("-/ping", null).status()).isEqualTo(200);
            String scrape = r.http.get("-/metrics", null).body();
            assertThat(scrape).contains("family=\"account\"").doesNotContain("family=\"health\"");
            assertThat(scrape).doesNotContain("status=\"5xx\"");
        }
    }

    @Test
    void notReadyWhenTheDatabaseDoesNotAnswer() {
        TestRegistry r = TestRegistry.start();
        try {
            assertThat(r.http.get("-/health/ready", null).status()).isEqualTo(200);
            r.airlock.db.close();
            Http.Response down = r.http.get("-/health/ready", null);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.json().path("error").asText()).startsWith("the database does not answer");
            assertThat(r.http.get("-/health/live", null).status()).isEqualTo(200);
        } finally {
            r.close();
        }
    }

    private static Http.Response awaitStatus(TestRegistry r, int status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            Http.Response got = r.http.get("-/health/ready", null);
            if (got.status() == status) {
                return got;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "ready did not answer " + status + "; last: " + got.status() + " " + got.body());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }
}
