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
    private static final int RACERS = 8;

    @Test
    void exactlyOneConcurrentPublishOfAVersionWins() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            String token = registry.userWithToken("racer");
            for (int round = 0; round < 20; round++) {
                race(registry, token, "race-pkg", "1.0." + round, "round " + round);
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
            for (int round = 0; round < 40; round++) {
                // never "you are not one of its maintainers" for a loser: the loser is its maintainer by now
                race(registry, token, "new-pkg-" + round, "1.0.0", "round " + round);
            }
        }
    }

    /**
     * {@value #RACERS} clients publish {@code name@version} at once, each with different bytes (a different
     * description): exactly one gets 201, every other one 409.
     */
    private static void race(TestRegistry registry, String token, String name, String version, String round)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            List<Future<Http.Response>> results = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                var manifest = Tarballs.manifest(name, version);
                manifest.put("description", "attempt " + i);
                String body = Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest"));
                results.add(pool.submit(() -> registry.http.put(name, token, body)));
            }
            int won = 0;
            for (Future<Http.Response> f : results) {
                Http.Response r = f.get();
                if (r.status() == 201) {
                    won++;
                } else {
                    assertThat(r.status()).as(round + ": " + r.body()).isEqualTo(409);
                }
            }
            assertThat(won).as(round).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
