package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The unique index decides concurrent publishes of one version: exactly one wins, every time. */
class PublishRaceIT {
    @Test
    void exactlyOneConcurrentPublishOfAVersionWins() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("racer");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 20; round++) {
                    String version = "1.0." + round;
                    List<Future<Http.Response>> results = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        // different bytes each time (a different description), same version number
                        var manifest = Tarballs.manifest("race-pkg", version);
                        manifest.put("description", "attempt " + i);
                        String body =
                                Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest"));
                        results.add(pool.submit(() -> registry.http.put("race-pkg", token, body)));
                    }
                    int won = 0;
                    for (Future<Http.Response> f : results) {
                        Http.Response r = f.get();
                        if (r.status() == 201) {
                            won++;
                        } else {
                            assertThat(r.status()).as(r.body()).isEqualTo(409);
                        }
                    }
                    assertThat(won).as("round " + round).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
            var doc = registry.http.get("race-pkg", null).json();
            assertThat(doc.path("versions").size()).isEqualTo(20);
            // the winner's bytes are what is served
            String description =
                    doc.path("versions").path("1.0.7").path("description").asText();
            assertThat(description).startsWith("attempt ");
        }
    }

    @Test
    void exactlyOneConcurrentFirstPublishOfAPackageWins() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("creator");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 40; round++) {
                    String name = "new-pkg-" + round;
                    List<Future<Http.Response>> results = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        var manifest = Tarballs.manifest(name, "1.0.0");
                        manifest.put("description", "attempt " + i);
                        String body =
                                Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest"));
                        results.add(pool.submit(() -> registry.http.put(name, token, body)));
                    }
                    int won = 0;
                    for (Future<Http.Response> f : results) {
                        Http.Response r = f.get();
                        if (r.status() == 201) {
                            won++;
                        } else {
                            // never "you are not one of its maintainers": the loser is its maintainer by now
                            assertThat(r.status())
                                    .as("round " + round + ": " + r.body())
                                    .isEqualTo(409);
                        }
                    }
                    assertThat(won).as("round " + round).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
