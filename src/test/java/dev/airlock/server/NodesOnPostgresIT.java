package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.TestRegistry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two registries (two nodes) on one PostgreSQL database, in this JVM, under real concurrency: a transaction conflict
 * never surfaces as a wrong refusal or a 500, and every single-use thing is used once across both nodes. Runs in the
 * build's PostgreSQL execution only (SQLite serves one node).
 */
class NodesOnPostgresIT {
    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static String url;
    static MutableClock clock;
    static TestRegistry a;
    static TestRegistry b;
    static ExecutorService pool;

    @BeforeAll
    static void start() {
        assumeTrue(TestDatabase.postgres(), "several nodes need PostgreSQL");
        url = TestDatabase.fresh();
        clock = new MutableClock();
        Map<String, String> settings = Map.of("database.url", url, "security.secretKey", SECRET);
        a = TestRegistry.start(settings, clock);
        b = TestRegistry.start(settings, clock);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stop() {
        if (url == null) {
            return;
        }
        pool.shutdownNow();
        a.close();
        b.close();
        TestDatabase.drop(url);
    }

    static Http node(int i) {
        return i % 2 == 0 ? a.http : b.http;
    }

    /** Runs every call at the same instant (a barrier) and returns their answers in order. */
    static <T> List<T> atOnce(List<Callable<T>> calls) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls.size());
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> c : calls) {
            futures.add(pool.submit(() -> {
                barrier.await();
                return c.call();
            }));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    @Test
    void publishesOfDifferentPackagesThroughBothNodesAllSucceed() throws Exception {
        String token = a.userWithToken("many");
        List<Future<Http.Response>> results = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            String name = "conc-" + i;
            String body = Json.write(Tarballs.publishBody(name, "1.0.0"));
            Http http = node(i);
            results.add(pool.submit(() -> http.put(name, token, body)));
        }
        for (Future<Http.Response> f : results) {
            Http.Response r = f.get();
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        for (int i = 0; i < 80; i++) {
            assertThat(node(i + 1).get("conc-" + i, null).status()).isEqualTo(200);
        }
        var report = a.airlock.audit.verify(List.of(), null);
        assertThat(report.findings()).isEmpty();
        assertThat(b.airlock.audit.all()).hasSize((int) report.size());
    }

    @Test
    void theSameVersionPublishedToBothNodesAtOnceHasExactlyOneWinner() throws Exception {
        String token = a.userWithToken("racer");
        for (int round = 0; round < 100; round++) {
            String version = "1.0." + round;
            List<Callable<Http.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                var manifest = Tarballs.manifest("both-nodes", version);
                manifest.put("description", "attempt " + i);
                String body = Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest"));
                Http http = node(i);
                calls.add(() -> http.put("both-nodes", token, body));
            }
            int won = 0;
            for (Http.Response r : atOnce(calls)) {
                if (r.status() == 201) {
                    won++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(409);
                    assertThat(r.error()).contains("both-nodes@" + version);
                }
            }
            assertThat(won).as("round " + round).isEqualTo(1);
        }
        assertThat(b.http.get("both-nodes", null).json().path("versions").size())
                .isEqualTo(100);
    }

    @Test
    void oneCodePresentedToBothNodesIsAcceptedOnceAndNeverAnInternalError() throws Exception {
        String owner = a.userWithToken("coder");
        Authenticator app = a.enableTwoFactor("coder", owner, "auth-and-writes");
        assertThat(a.http.send(
                                "PUT",
                                "coded",
                                owner,
                                Json.write(Tarballs.publishBody("coded", "1.0.0")),
                                "npm-otp",
                                app.next())
                        .status())
                .isEqualTo(201);
        for (int round = 0; round < 30; round++) {
            String code = app.next();
            List<Callable<Http.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String tag = "r" + round + "n" + i;
                Http http = node(i);
                calls.add(() ->
                        http.send("PUT", "-/package/coded/dist-tags/" + tag, owner, "\"1.0.0\"", "npm-otp", code));
            }
            int accepted = 0;
            for (Http.Response r : atOnce(calls)) {
                if (r.status() == 201) {
                    accepted++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(401);
                    assertThat(r.header("WWW-Authenticate")).isEqualTo("OTP");
                }
            }
            assertThat(accepted).as("round " + round).isEqualTo(1);
        }
    }

    @Test
    void aStagedVersionApprovedOnBothNodesAtOnceIsPublishedOnce() throws Exception {
        String maintainer = a.userWithToken("twin");
        String other = a.userWithToken("other");
        Authenticator twin = a.enableTwoFactor("twin", maintainer, "auth-and-writes");
        Authenticator second = a.enableTwoFactor("other", other, "auth-and-writes");
        assertThat(a.http.send(
                                "PUT",
                                "twin-lib",
                                maintainer,
                                Json.write(Tarballs.publishBody("twin-lib", "1.0.0")),
                                "npm-otp",
                                twin.next())
                        .status())
                .isEqualTo(201);
        a.airlock
                .packageUseCases
                .ownership()
                .setMaintainers(
                        new dev.airlock.shared.Actor("twin", "session", "key-twin", "127.0.0.1"),
                        dev.airlock.shared.PackageName.parse("twin-lib"),
                        null,
                        List.of("twin", "other"));
        for (int round = 0; round < 10; round++) {
            String id = a.stage(maintainer, "twin-lib", "2.0." + round, false);
            String c1 = twin.next();
            String c2 = second.now();
            List<Http.Response> answers = atOnce(List.of(
                    () -> a.http.send("POST", "-/stage/" + id + "/approve", maintainer, null, "npm-otp", c1),
                    () -> b.http.send("POST", "-/stage/" + id + "/approve", other, null, "npm-otp", c2)));
            int published = 0;
            for (Http.Response r : answers) {
                assertThat(r.status()).as(r.body()).isLessThan(500);
                if (r.status() == 200 && r.json().path("published").asBoolean()) {
                    published++;
                }
            }
            assertThat(published).as("round " + round + ": " + answers).isEqualTo(1);
            String version = "2.0." + round;
            long approvals = a.airlock.audit.forTarget("package:twin-lib").stream()
                    .filter(e -> e.action().equals("stage.approve")
                            && version.equals(e.detail().get("version")))
                    .count();
            assertThat(approvals).isEqualTo(1);
        }
    }

    @Test
    void wrongPasswordsAreCountedAcrossNodes() {
        a.addUser("guessed", "guessed-password");
        int max = a.airlock.config.auth().maxPasswordFailures();
        for (int i = 0; i < max; i++) {
            Http.Response wrong = node(i).put(
                            "-/user/org.couchdb.user:guessed",
                            null,
                            "{\"name\":\"guessed\",\"password\":\"guess-" + i + "\"}");
            assertThat(wrong.status()).as(wrong.body()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            Http.Response blocked = node(i).put(
                            "-/user/org.couchdb.user:guessed",
                            null,
                            "{\"name\":\"guessed\",\"password\":\"guessed-password\"}");
            assertThat(blocked.status()).as("node " + i + ": " + blocked.body()).isEqualTo(429);
        }
    }
}
