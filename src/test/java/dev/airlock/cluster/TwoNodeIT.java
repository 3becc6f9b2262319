package dev.airlock.cluster;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Cluster;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.RealTimeCodes;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.TestOidcIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airlock as several stateless nodes: two real server processes ({@code java -jar target/airlock.jar serve}) on one
 * PostgreSQL database and one blob store, behind a real nginx balancing round robin (see {@link Cluster}). The real
 * clients work through the balancer although consecutive requests land on different nodes; the same request sent
 * to both nodes at once has exactly one winner and a clear refusal, never a 500; a node killed with SIGKILL leaves no
 * partial version and the other carries on; a rolling restart under install traffic fails no request.
 *
 * <p>Runs only in the build's PostgreSQL execution (skipped in the SQLite one: an embedded SQLite database belongs to
 * one process, so there is no cluster to test there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodeIT {
    static final Pattern STAGED = Pattern.compile("staged with id ([0-9a-f-]{36})");

    @TempDir
    static Path tmp;

    static TestOidcIssuer issuer;
    static Cluster cluster;
    static Person alice;
    static Person bob;
    /** A publisher without 2FA, for the publish races and streams. */
    static String publisher;

    record Person(String name, String token, RealTimeCodes codes) {}

    @BeforeAll
    static void start() {
        assumeTrue(TestDatabase.postgres(), "the two-node suite runs in the PostgreSQL execution only");
        issuer = new TestOidcIssuer(new MutableClock());
        cluster = Cluster.start(tmp.resolve("cluster"), 2, issuer.config("github"));
        alice = person("alice", "auth-and-writes");
        bob = person("bob", "auth-only");
        publisher = cluster.signup("publisher");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    /** Signs up through the balancer and enables TOTP 2FA in the given mode (npm profile enable-2fa's calls). */
    static Person person(String name, String mode) {
        String token = cluster.signup(name);
        if (mode == null) {
            return new Person(name, token, null);
        }
        Http.Response start = cluster.http.post(
                "-/npm/v1/user", token, "{\"tfa\":{\"password\":\"" + name + "-password\",\"mode\":\"" + mode + "\"}}");
        assertThat(start.status()).as(start.body()).isEqualTo(200);
        RealTimeCodes codes =
                new RealTimeCodes(start.json().path("tfa").asText().replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
        Http.Response confirm = cluster.http.post("-/npm/v1/user", token, "{\"tfa\":[\"" + codes.next() + "\"]}");
        assertThat(confirm.status()).as(confirm.body()).isEqualTo(200);
        return new Person(name, token, codes);
    }

    // ------------------------------------------------------------------------------------------------ clients

    @Test
    @Order(1)
    void realClientsWorkThroughTheBalancerWhateverNodeAnswers() {
        String url = cluster.nginx.url();
        // round robin: consecutive requests are answered by both nodes
        Set<String> upstreams = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            upstreams.add(cluster.http.get("-/ping", null).header("X-Upstream"));
        }
        assertThat(upstreams).hasSize(2);

        Npm npm = Npm.withToken(tmp.resolve("npm-alice"), url, alice.token());
        Path lib = pkg("tn-lib", "1.0.0");
        ok(npm.run(lib, "publish", "--otp=" + alice.codes().next()));
        version(lib, "tn-lib", "1.1.0");
        Cli.Result staged = ok(npm.run(lib, "stage", "publish"));
        Matcher m = STAGED.matcher(staged.stdout());
        assertThat(m.find()).as(staged.toString()).isTrue();
        assertThat(cluster.http.get("tn-lib", null).body()).doesNotContain("\"1.1.0\"");
        ok(npm.run(tmp, "stage", "approve", m.group(1), "--otp=" + alice.codes().next()));
        for (Cluster.Node n : cluster.nodes) {
            assertThat(n.http.get("tn-lib", null)
                            .json()
                            .path("dist-tags")
                            .path("latest")
                            .asText())
                    .as(n.name)
                    .isEqualTo("1.1.0");
        }

        // installs by every client, each fetching packument and tarball through the balancer
        Path npmConsumer = consumer(tmp.resolve("consumer-npm"));
        ok(npm.run(npmConsumer, "install"));
        assertInstalled(npmConsumer);

        Path pnpmDir = tmp.resolve("consumer-pnpm");
        Path pnpmProject = consumer(pnpmDir.resolve("project"));
        Files2.write(pnpmProject.resolve(".npmrc"), "registry=" + url + "\n");
        Files2.write(pnpmProject.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
        Map<String, String> pnpmEnv = env(pnpmDir);
        pnpmEnv.put("XDG_CONFIG_HOME", pnpmDir.resolve("xdg-config").toString());
        pnpmEnv.put("XDG_CACHE_HOME", pnpmDir.resolve("xdg-cache").toString());
        pnpmEnv.put("XDG_DATA_HOME", pnpmDir.resolve("xdg-data").toString());
        pnpmEnv.put("XDG_STATE_HOME", pnpmDir.resolve("xdg-state").toString());
        ok(run(pnpmProject, pnpmEnv, List.of(Clients.pnpm().toString(), "install", "--no-frozen-lockfile")));
        assertInstalled(pnpmProject);

        Path berryDir = tmp.resolve("consumer-berry");
        Path berryProject = consumer(berryDir.resolve("project"));
        Files2.write(
                berryProject.resolve(".yarnrc.yml"),
                "npmRegistryServer: \"" + url.replaceFirst("/$", "") + "\"\n"
                        + "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
                        + "enableGlobalCache: false\nnodeLinker: node-modules\nenableTelemetry: false\n"
                        + "enableImmutableInstalls: false\nnpmMinimalAgeGate: 0\n");
        Map<String, String> berryEnv = env(berryDir);
        berryEnv.put("YARN_ENABLE_TELEMETRY", "0");
        berryEnv.put("YARN_CACHE_FOLDER", berryDir.resolve("cache").toString());
        berryEnv.put("YARN_GLOBAL_FOLDER", berryDir.resolve("global").toString());
        ok(run(berryProject, berryEnv, List.of("node", Clients.yarnBerry().toString(), "install")));
        assertInstalled(berryProject);

        Path bunDir = tmp.resolve("consumer-bun");
        Path bunProject = consumer(bunDir.resolve("project"));
        Files2.write(bunProject.resolve("bunfig.toml"), "[install]\nregistry = { url = \"" + url + "\" }\n");
        Map<String, String> bunEnv = env(bunDir);
        bunEnv.put("BUN_INSTALL_CACHE_DIR", bunDir.resolve("cache").toString());
        bunEnv.put("BUN_INSTALL", bunDir.resolve("bun-install").toString());
        bunEnv.put("XDG_CONFIG_HOME", bunDir.resolve("xdg-config").toString());
        bunEnv.put("DO_NOT_TRACK", "1");
        ok(run(bunProject, bunEnv, List.of(Clients.bun().toString(), "install", "--no-progress")));
        assertInstalled(bunProject);

        // trusted publishing: bob trusts a pipeline, which exchanges its ID token on one node and publishes
        Npm bobNpm = Npm.withToken(tmp.resolve("npm-bob"), url, bob.token());
        ok(bobNpm.run(pkg("tn-ci", "1.0.0"), "publish"));
        ok(bobNpm.run(
                tmp,
                "trust",
                "github",
                "tn-ci",
                "--file=publish.yml",
                "--repository=bob/tn-ci",
                "--allow-publish",
                "--yes",
                "--otp=" + bob.codes().next()));
        issuer.pipelineClaims = github();
        Npm ci = new Npm(tmp.resolve("pipeline"), url);
        Cli.Result published = ok(ci.runWithEnv(
                pkg("tn-ci", "1.1.0"),
                Map.of(
                        "GITHUB_ACTIONS",
                        "true",
                        "ACTIONS_ID_TOKEN_REQUEST_URL",
                        issuer.requestUrl(),
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                        TestOidcIssuer.REQUEST_TOKEN),
                List.of(),
                "publish",
                "--provenance=false",
                "--loglevel=verbose"));
        assertThat(published.stderr()).contains("oidc Successfully retrieved and set token");
        JsonNode v = cluster.http.get("tn-ci", null).json().path("versions").path("1.1.0");
        assertThat(v.path("airlock").path("via").asText()).as(v.toString()).isEqualTo("oidc");
    }

    // ------------------------------------------------------------------------------------------------- races

    /** The same version PUT to both nodes at the same moment, 100 times: one 201 and one clear 4xx every time. */
    @Test
    @Order(2)
    void theSameVersionPublishedOnBothNodesHasExactlyOneWinner() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ObjectNode manifest = Tarballs.manifest("tn-race", "1.0." + i);
            String body = Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest"));
            List<Http.Response> rs = race(n -> cluster.node(n).http.put("tn-race", publisher, body));
            if (!oneWinner(rs, 201)) {
                wrong.add("1.0." + i + ": " + describe(rs));
            }
        }
        assertThat(wrong).as("attempts without exactly one 201 and one 4xx").isEmpty();
        JsonNode versions = cluster.http.get("tn-race", null).json().path("versions");
        assertThat(versions.size()).isEqualTo(100);
    }

    /** One TOTP code presented to both nodes at once (an OTP-guarded dist-tag add): accepted once, never a 500. */
    @Test
    @Order(3)
    void theSameCodeOnBothNodesWorksOnce() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            String name = "otp" + u;
            String token = cluster.signup(name);
            ObjectNode manifest = Tarballs.manifest("tn-" + name, "1.0.0");
            Http.Response first = cluster.http.put(
                    "tn-" + name,
                    token,
                    Json.write(Tarballs.publishBody(manifest, Tarballs.packageTgz(manifest), "latest")));
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            Person p = enable(name, token, "auth-and-writes");
            for (int attempt = 0; attempt < 2; attempt++) {
                String code = p.codes().next();
                String tag = "t" + attempt;
                List<Http.Response> rs = race(n -> cluster.node(n)
                        .http
                        .send(
                                "PUT",
                                "-/package/tn-" + name + "/dist-tags/" + tag,
                                token,
                                "\"1.0.0\"",
                                "npm-otp",
                                code));
                boolean once = rs.stream().filter(r -> r.status() / 100 == 2).count() == 1
                        && rs.stream().anyMatch(r -> r.status() == 401 || r.status() == 403);
                if (!once) {
                    wrong.add(name + " " + tag + ": " + describe(rs));
                }
            }
        }
        assertThat(wrong)
                .as("codes not accepted exactly once with a 401/403 for the other")
                .isEmpty();
    }

    /** One OIDC ID token exchanged on both nodes at once: one registry token, one refusal. */
    @Test
    @Order(4)
    void theSameIdTokenExchangedOnBothNodesIssuesOneToken() throws Exception {
        ensureTrust();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String idToken = issuer.mint(b -> {
                b.audience("npm:127.0.0.1");
                github().forEach(b::claim);
            });
            List<Http.Response> rs = race(n -> cluster.node(n)
                    .http
                    .send(
                            "POST",
                            "-/npm/v1/oidc/token/exchange/package/tn-ci",
                            null,
                            null,
                            "Authorization",
                            "Bearer " + idToken));
            if (!oneWinner(rs, 201) && !oneWinner(rs, 200)) {
                wrong.add("exchange " + i + ": " + describe(rs));
            }
        }
        assertThat(wrong).as("exchanges without exactly one token and one 4xx").isEmpty();
    }

    /** One staged version approved on both nodes at once by two maintainers: published once, one approval logged. */
    @Test
    @Order(5)
    void theSameStageApprovedOnBothNodesIsApprovedOnce() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int pair = 0; pair < 2; pair++) {
            Person owner = person("own" + pair, "auth-only");
            Person helper = person("hlp" + pair, "auth-only");
            String pkg = "tn-appr" + pair;
            ObjectNode m0 = Tarballs.manifest(pkg, "1.0.0");
            Http.Response first = cluster.http.put(
                    pkg, owner.token(), Json.write(Tarballs.publishBody(m0, Tarballs.packageTgz(m0), "latest")));
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            // npm owner add: the packument's maintainers list, written back at its revision
            JsonNode doc = cluster.http.get(pkg, owner.token()).json();
            ((com.fasterxml.jackson.databind.node.ArrayNode) doc.path("maintainers"))
                    .addObject()
                    .put("name", helper.name())
                    .put("email", helper.name() + "@example.com");
            Http.Response added = cluster.http.send(
                    "PUT",
                    pkg + "/-rev/" + doc.path("_rev").asText(),
                    owner.token(),
                    Json.write(doc),
                    "npm-otp",
                    owner.codes().next());
            assertThat(added.status() / 100).as(added.body()).isEqualTo(2);
            for (int attempt = 0; attempt < 1; attempt++) {
                String version = "1.1." + attempt;
                ObjectNode m = Tarballs.manifest(pkg, version);
                Http.Response staged = cluster.http.send(
                        "POST",
                        "-/stage/package/" + pkg,
                        owner.token(),
                        Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")));
                assertThat(staged.status()).as(staged.body()).isEqualTo(201);
                String id = staged.json().path("stageId").asText();
                String ownerCode = owner.codes().next();
                String helperCode = helper.codes().next();
                List<Http.Response> rs = race(n -> cluster.node(n)
                        .http
                        .send(
                                "POST",
                                "-/stage/" + id + "/approve",
                                n == 0 ? owner.token() : helper.token(),
                                null,
                                "npm-otp",
                                n == 0 ? ownerCode : helperCode));
                long approvals = count(
                        "SELECT COUNT(*) FROM audit_log WHERE action = 'stage.approve' AND outcome = 'success'"
                                + " AND entry LIKE ?",
                        "%" + id + "%");
                boolean published =
                        cluster.http.get(pkg, null).json().path("versions").has(version);
                if (!oneWinner(rs, 200) || approvals != 1 || !published) {
                    wrong.add(pkg + "@" + version + ": " + describe(rs) + ", approvals logged " + approvals
                            + ", published " + published);
                }
            }
        }
        assertThat(wrong).as("approvals not counted exactly once").isEmpty();
    }

    // -------------------------------------------------------------------------------------------- kill -9

    /**
     * A stream of publishes to both nodes and approvals on one; that node is killed with SIGKILL in the middle. Every
     * version is afterwards either complete (in the packument, its tarball readable with the recorded shasum) or
     * absent; the other node kept accepting publishes; the killed node comes back with the same state.
     */
    @Test
    @Order(6)
    void aNodeKilledMidStreamLeavesNoPartialVersionAndTheOtherCarriesOn() throws Exception {
        Cluster.Node victim = cluster.node(1);
        Cluster.Node survivor = cluster.node(0);
        Person approver = person("approver", "auth-only");
        ObjectNode m0 = Tarballs.manifest("tn-kill-st", "1.0.0");
        assertThat(cluster.http
                        .put(
                                "tn-kill-st",
                                approver.token(),
                                Json.write(Tarballs.publishBody(m0, Tarballs.packageTgz(m0), "latest")))
                        .status())
                .isEqualTo(201);
        List<String> stages = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            ObjectNode m = Tarballs.manifest("tn-kill-st", "1.1." + i);
            Http.Response r = cluster.http.send(
                    "POST",
                    "-/stage/package/tn-kill-st",
                    approver.token(),
                    Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            stages.add(r.json().path("stageId").asText());
        }

        AtomicBoolean killed = new AtomicBoolean();
        Map<String, String> afterKill = new ConcurrentHashMap<>();
        AtomicInteger survivorAccepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> publishes = pool.submit(() -> {
            for (int i = 0; i < 80; i++) {
                Cluster.Node to = cluster.node(i % 2);
                String version = "1.0." + i;
                ObjectNode m = Tarballs.manifest("tn-kill", version);
                byte[] tgz = Tarballs.packageTgz(m);
                try {
                    Http.Response r =
                            to.http.put("tn-kill", publisher, Json.write(Tarballs.publishBody(m, tgz, "latest")));
                    if (killed.get() && to == survivor) {
                        afterKill.put(version, String.valueOf(r.status()));
                        if (r.status() == 201) {
                            survivorAccepted.incrementAndGet();
                        }
                    }
                } catch (RuntimeException e) {
                    if (to == survivor) {
                        afterKill.put(version, "survivor failed: " + e);
                    }
                }
            }
            return null;
        });
        Future<?> approvals = pool.submit(() -> {
            for (String id : stages) {
                try {
                    victim.http.send(
                            "POST",
                            "-/stage/" + id + "/approve",
                            approver.token(),
                            null,
                            "npm-otp",
                            approver.codes().next());
                } catch (RuntimeException e) {
                    // the node died under it
                }
            }
            return null;
        });
        Thread.sleep(700);
        victim.kill();
        killed.set(true);
        assertThat(victim.alive()).isFalse();
        publishes.get(120, TimeUnit.SECONDS);
        approvals.get(120, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(afterKill.values()).as("survivor answers after the kill").allMatch("201"::equals);
        assertThat(survivorAccepted.get()).isPositive();
        assertComplete(survivor, "tn-kill");
        assertComplete(survivor, "tn-kill-st");
        JsonNode st = survivor.http.get("tn-kill-st", null).json().path("versions");
        for (String id : stages) {
            JsonNode s = survivor.http.get("-/stage/" + id, approver.token()).json();
            String version = s.path("version").asText();
            assertThat(st.has(version))
                    .as("stage %s is %s; published: %s", id, s.path("state").asText(), st.has(version))
                    .isEqualTo("approved".equals(s.path("state").asText()));
        }
        // the balancer routes around the dead node
        for (int i = 0; i < 4; i++) {
            assertThat(cluster.http.get("tn-kill", null).status()).isEqualTo(200);
        }

        victim.start();
        assertThat(versions(victim, "tn-kill")).isEqualTo(versions(survivor, "tn-kill"));
        assertComplete(victim, "tn-kill");
    }

    // ----------------------------------------------------------------------------------- packuments in memory

    /**
     * Each node keeps packuments in memory: a publish or a dist-tag change on one node is seen by the other at once
     * (NOTIFY with the package name), in both forms, although it held the previous document.
     */
    @Test
    @Order(8)
    void aChangeOnOneNodeIsSeenOnTheOtherThoughItHeldThePackumentInMemory() {
        Cluster.Node a = cluster.node(0);
        Cluster.Node b = cluster.node(1);
        publishOn(a, "tn-hot", "1.0.0");
        for (Cluster.Node n : cluster.nodes) {
            for (int i = 0; i < 2; i++) { // the second read comes from memory
                assertThat(n.http.get("tn-hot", null).body()).contains("\"1.0.0\"");
                assertThat(n.http.get("tn-hot", null, "Accept", "application/vnd.npm.install-v1+json")
                                .body())
                        .contains("\"1.0.0\"");
            }
        }
        publishOn(a, "tn-hot", "1.1.0");
        assertThat(latestOn(a, false)).isEqualTo("1.1.0"); // the publishing node: in its own commit's wake
        awaitLatest(b, "1.1.0");
        Http.Response tag = b.http.put("-/package/tn-hot/dist-tags/latest", publisher, "\"1.0.0\"");
        assertThat(tag.status()).as(tag.body()).isBetween(200, 201);
        assertThat(latestOn(b, true)).isEqualTo("1.0.0");
        awaitLatest(a, "1.0.0");
    }

    static void publishOn(Cluster.Node n, String name, String version) {
        ObjectNode m = Tarballs.manifest(name, version);
        Http.Response r =
                n.http.put(name, publisher, Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    static String latestOn(Cluster.Node n, boolean corgi) {
        Http.Response r = corgi
                ? n.http.get("tn-hot", null, "Accept", "application/vnd.npm.install-v1+json")
                : n.http.get("tn-hot", null);
        return r.json().path("dist-tags").path("latest").asText();
    }

    /** Both forms on {@code n} show {@code latest} within the time a notification takes (a few seconds at most). */
    static void awaitLatest(Cluster.Node n, String latest) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(latestOn(n, false).equals(latest) && latestOn(n, true).equals(latest))) {
            assertThat(System.nanoTime())
                    .as(n.name + " still serves the old packument")
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------------------------------- rolling restart

    /** Both nodes restarted one after the other (SIGTERM, start, ready) while clients install: no request fails. */
    @Test
    @Order(7)
    void aRollingRestartUnderInstallTrafficFailsNoRequest() throws Exception {
        String tarball = cluster.http
                .get("tn-lib", null)
                .json()
                .path("versions")
                .path("1.1.0")
                .path("dist")
                .path("tarball")
                .asText();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            loops.add(pool.submit(() -> {
                while (running.get()) {
                    for (String u : List.of(cluster.nginx.url() + "tn-lib", tarball)) {
                        try {
                            HttpResponse<byte[]> r = client.send(
                                    HttpRequest.newBuilder(URI.create(u))
                                            .timeout(Duration.ofSeconds(30))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            requests.incrementAndGet();
                            if (r.statusCode() != 200) {
                                failures.add(u + " → " + r.statusCode() + " "
                                        + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        } catch (Exception e) {
                            failures.add(u + " → " + e);
                        }
                    }
                }
                return null;
            }));
        }
        AtomicInteger installs = new AtomicInteger();
        loops.add(pool.submit(() -> {
            Npm npm = new Npm(tmp.resolve("npm-rolling"), cluster.nginx.url());
            int i = 0;
            while (running.get()) {
                Path project = consumer(tmp.resolve("rolling-" + i++));
                Cli.Result r = npm.run(project, "install", "--prefer-online");
                installs.incrementAndGet();
                if (r.exit() != 0) {
                    failures.add("npm install → " + r);
                }
            }
            return null;
        }));
        Thread.sleep(1000);
        for (Cluster.Node n : cluster.nodes) {
            n.stop();
            assertThat(n.alive()).isFalse();
            Thread.sleep(500);
            n.start();
            Thread.sleep(1000);
        }
        running.set(false);
        pool.shutdown();
        for (Future<?> loop : loops) {
            loop.get(240, TimeUnit.SECONDS);
        }
        assertThat(failures)
                .as("failed requests among %d (%d npm installs)", requests.get(), installs.get())
                .isEmpty();
        assertThat(requests.get()).isGreaterThan(20);
        assertThat(installs.get()).isPositive();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Person enable(String name, String token, String mode) {
        Http.Response start = cluster.http.post(
                "-/npm/v1/user", token, "{\"tfa\":{\"password\":\"" + name + "-password\",\"mode\":\"" + mode + "\"}}");
        assertThat(start.status()).as(start.body()).isEqualTo(200);
        RealTimeCodes codes =
                new RealTimeCodes(start.json().path("tfa").asText().replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
        Http.Response confirm = cluster.http.post("-/npm/v1/user", token, "{\"tfa\":[\"" + codes.next() + "\"]}");
        assertThat(confirm.status()).as(confirm.body()).isEqualTo(200);
        return new Person(name, token, codes);
    }

    /** The trust relationship the OIDC race exchanges against (made by the client test; made here if it did not run). */
    static void ensureTrust() {
        issuer.pipelineClaims = github();
        if (cluster.http.get("tn-ci", null).status() == 404) {
            ObjectNode m = Tarballs.manifest("tn-ci", "1.0.0");
            assertThat(cluster.http
                            .put(
                                    "tn-ci",
                                    bob.token(),
                                    Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")))
                            .status())
                    .isEqualTo(201);
        }
        if (cluster.http.get("-/package/tn-ci/trust", bob.token()).json().isEmpty()) {
            Npm bobNpm = Npm.withToken(tmp.resolve("npm-bob"), cluster.nginx.url(), bob.token());
            ok(bobNpm.run(
                    tmp,
                    "trust",
                    "github",
                    "tn-ci",
                    "--file=publish.yml",
                    "--repository=bob/tn-ci",
                    "--allow-publish",
                    "--yes",
                    "--otp=" + bob.codes().next()));
        }
    }

    static Map<String, Object> github() {
        Map<String, Object> c = new HashMap<>();
        c.put("repository", "bob/tn-ci");
        c.put("repository_owner", "bob");
        c.put("repository_owner_id", "1001");
        c.put("workflow_ref", "bob/tn-ci/.github/workflows/publish.yml@refs/heads/main");
        c.put("ref", "refs/heads/main");
        c.put("sha", "0123456789abcdef0123456789abcdef01234567");
        c.put("run_id", "4242");
        c.put("repository_visibility", "private");
        return c;
    }

    /** Sends request(0) to node 0 and request(1) to node 1 at the same moment. */
    static List<Http.Response> race(IntFunction<Http.Response> request) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Http.Response>> sent = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                sent.add(two.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return request.apply(node);
                }));
            }
            List<Http.Response> out = new ArrayList<>();
            for (Future<Http.Response> f : sent) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            two.shutdownNow();
        }
    }

    /** Exactly one response has the winning status and the other is a 4xx with an error sentence. */
    static boolean oneWinner(List<Http.Response> rs, int status) {
        long won = rs.stream().filter(r -> r.status() == status).count();
        long refused = rs.stream()
                .filter(r -> r.status() >= 400 && r.status() < 500 && !r.error().isBlank())
                .count();
        return won == 1 && refused == 1;
    }

    static String describe(List<Http.Response> rs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            Http.Response r = rs.get(i);
            String body = r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body();
            out.add("node" + i + " " + r.status() + " " + body);
        }
        return String.join(" | ", out);
    }

    static long count(String sql, String param) {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl);
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Set<String> versions(Cluster.Node node, String pkg) {
        Set<String> out = new HashSet<>();
        node.http.get(pkg, null).json().path("versions").properties().forEach(e -> out.add(e.getKey()));
        return out;
    }

    /** Every version in the packument has its tarball, byte for byte what dist.shasum says. */
    static void assertComplete(Cluster.Node node, String pkg) throws Exception {
        JsonNode versions = node.http.get(pkg, null).json().path("versions");
        assertThat(versions.size()).isPositive();
        for (Map.Entry<String, JsonNode> e : versions.properties()) {
            JsonNode dist = e.getValue().path("dist");
            String tarball = dist.path("tarball").asText();
            String path = tarball.substring(tarball.indexOf("/", "http://".length()) + 1);
            byte[] bytes = node.http.bytes(path, null);
            assertThat(bytes)
                    .as("%s@%s tarball on %s", pkg, e.getKey(), node.name)
                    .isNotNull();
            assertThat(HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-1").digest(bytes)))
                    .as("%s@%s shasum", pkg, e.getKey())
                    .isEqualTo(dist.path("shasum").asText());
        }
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name);
        version(d, name, version);
        Files2.write(d.resolve("index.js"), "module.exports = '" + name + "';\n");
        return d;
    }

    static void version(Path d, String name, String version) {
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}\n");
    }

    /** A project that depends on tn-lib ^1.1.0 (the version that was staged and approved). */
    static Path consumer(Path dir) {
        Files2.write(
                dir.resolve("package.json"),
                "{\"name\":\"consumer\",\"version\":\"1.0.0\",\"private\":true,"
                        + "\"dependencies\":{\"tn-lib\":\"^1.1.0\"}}\n");
        return dir;
    }

    static void assertInstalled(Path project) {
        assertThat(Files2.read(project.resolve("node_modules/tn-lib/package.json")))
                .as(project.toString())
                .contains("\"1.1.0\"");
    }

    static Map<String, String> env(Path dir) {
        Path home = dir.resolve("home");
        try {
            Files.createDirectories(home);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new HashMap<>(Cli.baseEnv(home));
    }

    static Cli.Result run(Path cwd, Map<String, String> env, List<String> cmd) {
        return Cli.run(cwd, env, cmd, Map.<String, String>of(), 240);
    }
}
