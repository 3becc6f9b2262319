package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted publishing with the real npm CLI and a real OIDC party (issue #4): a GitHub-Actions-shaped pipeline with
 * no stored secret stages a release; a maintainer approves it with 2FA; and every check of the exchange refuses a
 * token that is not exactly right, issuing nothing.
 */
class TrustedPublishingIT {
    static final String EXCHANGE = "-/npm/v1/oidc/token/exchange/package/";
    static TestOidcIssuer issuer;
    static TestRegistry registry;
    static Npm alice;
    static Authenticator app;
    static String aliceToken;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        // the issuer mints by the registry's clock (which 2FA codes move forward), so it starts before the registry
        // with a clock handle that the registry then adopts
        dev.airlock.testing.MutableClock clock = new dev.airlock.testing.MutableClock();
        issuer = new TestOidcIssuer(clock);
        registry = TestRegistry.start(issuer.config("github"), clock);
        aliceToken = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
        alice = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceToken);
        for (String name : new String[] {"ci-pkg", "ci-direct", "ci-adversary"}) {
            ok(alice.run(pkg(name, "1.0.0"), "publish", "--otp=" + app.next()));
        }
        issuer.pipelineClaims = github("alice/ci-pkg", "1001", "publish.yml", null);
    }

    @AfterAll
    static void stop() {
        registry.close();
        issuer.close();
    }

    static Map<String, Object> github(String repo, String ownerId, String workflow, String environment) {
        Map<String, Object> c = new HashMap<>();
        c.put("repository", repo);
        c.put("repository_owner", repo.split("/")[0]);
        c.put("repository_owner_id", ownerId);
        c.put("workflow_ref", repo + "/.github/workflows/" + workflow + "@refs/heads/main");
        c.put("ref", "refs/heads/main");
        c.put("sha", "0123456789abcdef0123456789abcdef01234567");
        c.put("run_id", "4242");
        c.put("repository_visibility", "private");
        if (environment != null) {
            c.put("environment", environment);
        }
        return c;
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    /** The pipeline: npm with GitHub Actions' environment and no npm token at all. */
    static Cli.Result pipeline(Path cwd, String... args) {
        Npm ci = new Npm(tmp.resolve("pipeline-" + System.nanoTime()), registry.url());
        return issuer.githubActionsRun(ci, cwd, List.of("--loglevel=verbose"), args);
    }

    static void trust(String pkg, String... flags) {
        String[] args = new String[flags.length + 5];
        args[0] = "trust";
        args[1] = "github";
        args[2] = pkg;
        args[3] = "--yes";
        args[4] = "--otp=" + app.next();
        System.arraycopy(flags, 0, args, 5, flags.length);
        ok(alice.run(tmp, args));
    }

    static long tokenRows() {
        return registry.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT COUNT(*) FROM tokens")
                .mapTo(Long.class)
                .one());
    }

    @Test
    void aPipelineWithNoStoredSecretStagesAndAHumanReleases() {
        fails(
                alice.run(
                        tmp,
                        "trust",
                        "github",
                        "ci-pkg",
                        "--file=publish.yml",
                        "--repository=alice/ci-pkg",
                        "--allow-stage-publish",
                        "--yes"),
                "EOTP");
        trust("ci-pkg", "--file=publish.yml", "--repository=alice/ci-pkg", "--allow-stage-publish");
        String list = ok(alice.run(tmp, "trust", "list", "ci-pkg", "--otp=" + app.next()))
                .stdout();
        assertThat(list).contains("alice/ci-pkg").contains("publish.yml").contains("stage publish");
        fails(
                alice.run(
                        tmp,
                        "trust",
                        "github",
                        "ci-pkg",
                        "--file=other.yml",
                        "--repository=alice/ci-pkg",
                        "--allow-publish",
                        "--yes",
                        "--otp=" + app.next()),
                "already has a trust configuration");

        Cli.Result staged = ok(pipeline(pkg("ci-pkg", "1.1.0"), "stage", "publish"));
        assertThat(staged.stderr()).contains("oidc Successfully retrieved and set token");
        Matcher m = Pattern.compile("staged with id ([0-9a-f-]{36})").matcher(staged.stdout());
        assertThat(m.find()).as(staged.toString()).isTrue();
        String id = m.group(1);
        String view = ok(alice.run(tmp, "stage", "view", id)).stdout();
        assertThat(view)
                .contains("staged by: github:alice/ci-pkg (oidc)")
                .contains("ciRepository: alice/ci-pkg")
                .contains("ciSha: 0123456789abcdef")
                .contains("ciRunId: 4242")
                .contains("publish.yml@refs/heads/main");
        assertThat(registry.http.get("ci-pkg", null).body()).doesNotContain("1.1.0");

        // the relationship allows staging only: a direct publish from the same pipeline is refused
        fails(pipeline(pkg("ci-pkg", "1.2.0"), "publish"), "allows staging only");

        ok(alice.run(tmp, "stage", "approve", id, "--otp=" + app.next()));
        Path consumer = tmp.resolve("consumer");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"c\",\"version\":\"1.0.0\"}");
        ok(alice.run(consumer, "install", "ci-pkg@1.1.0"));
        var airlock = dev.airlock.platform.json.Json.parse(
                ok(alice.run(tmp, "view", "ci-pkg@1.1.0", "airlock", "--json")).stdout());
        assertThat(airlock.path("stagedVia").asText()).isEqualTo("oidc");
        assertThat(airlock.path("ci").path("repository").asText()).isEqualTo("alice/ci-pkg");
        assertThat(airlock.path("approvedBy").get(0).path("name").asText()).isEqualTo("alice");
        var audit = registry.airlock.audit.forTarget("package:ci-pkg");
        assertThat(audit.stream()
                        .filter(e -> e.action().equals("oidc.exchange"))
                        .findFirst()
                        .orElseThrow()
                        .detail())
                .containsEntry("repository", "alice/ci-pkg")
                .containsEntry("runId", "4242");
    }

    @Test
    void directPublishOnlyWhenTheRelationshipAllowsIt() {
        issuer.pipelineClaims = github("alice/ci-direct", "1001", "release.yml", "production");
        trust(
                "ci-direct",
                "--file=release.yml",
                "--repository=alice/ci-direct",
                "--environment=production",
                "--allow-publish");
        Cli.Result published = ok(pipeline(pkg("ci-direct", "1.1.0"), "publish"));
        assertThat(published.stdout()).contains("+ ci-direct@1.1.0");
        assertThat(registry.http
                        .get("ci-direct", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.1.0");
        var airlock = registry.http
                .get("ci-direct", null)
                .json()
                .path("versions")
                .path("1.1.0")
                .path("airlock");
        assertThat(airlock.path("via").asText()).isEqualTo("oidc");
        assertThat(airlock.path("ci").path("environment").asText()).isEqualTo("production");
        fails(pipeline(pkg("ci-direct", "1.2.0"), "stage", "publish"), "does not allow staged publishing");

        String id = registry.http
                .get("-/package/ci-direct/trust", aliceToken)
                .json()
                .get(0)
                .path("id")
                .asText();
        ok(alice.run(tmp, "trust", "revoke", "ci-direct", "--id=" + id, "--otp=" + app.next()));
        assertThat(ok(alice.run(tmp, "trust", "list", "ci-direct", "--otp=" + app.next()))
                        .stdout())
                .contains("No trust configurations");
        // with the relationship gone the exchange fails and npm has no credentials
        fails(pipeline(pkg("ci-direct", "1.3.0"), "publish"), "ENEEDAUTH");
        issuer.pipelineClaims = github("alice/ci-pkg", "1001", "publish.yml", null);
    }

    @Test
    void everyCheckOfTheExchangeRefusesAndIssuesNothing() throws Exception {
        trust(
                "ci-adversary",
                "--file=publish.yml",
                "--repository=alice/ci-adversary",
                "--environment=prod",
                "--allow-publish",
                "--allow-stage-publish");
        Map<String, Object> good = github("alice/ci-adversary", "2002", "publish.yml", "prod");
        Consumer<JWTClaimsSet.Builder> valid = b -> {
            b.audience("npm:127.0.0.1");
            good.forEach(b::claim);
        };
        // the control case is accepted (and pins repository_owner_id 2002)
        assertThat(exchange(issuer.mint(valid)).status()).isEqualTo(200);

        long before = tokenRows();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("wrong audience", issuer.mint(valid.andThen(b -> b.audience("npm:evil.example"))));
        bad.put("audience with port", issuer.mint(valid.andThen(b -> b.audience("npm:127.0.0.1:" + registry.port))));
        bad.put("two audiences", issuer.mint(valid.andThen(b -> b.audience(List.of("npm:127.0.0.1", "other")))));
        bad.put(
                "unknown issuer",
                issuer.mint(valid.andThen(b -> b.issuer("https://token.actions.githubusercontent.com"))));
        bad.put(
                "expired",
                issuer.mint(valid.andThen(b -> b.expirationTime(new Date(registry.clock.millis() - 120_000)))));
        bad.put(
                "issued in the future",
                issuer.mint(valid.andThen(b -> b.issueTime(new Date(registry.clock.millis() + 600_000)))));
        bad.put(
                "not yet valid",
                issuer.mint(valid.andThen(b -> b.notBeforeTime(new Date(registry.clock.millis() + 600_000)))));
        bad.put(
                "wrong repository",
                issuer.mint(valid.andThen(b -> b.claim("repository", "mallory/ci-adversary")
                        .claim("workflow_ref", "mallory/ci-adversary/.github/workflows/publish.yml@refs/heads/main"))));
        bad.put(
                "wrong owner id (recreated repository)",
                issuer.mint(valid.andThen(b -> b.claim("repository_owner_id", "9999"))));
        bad.put(
                "wrong workflow",
                issuer.mint(valid.andThen(b ->
                        b.claim("workflow_ref", "alice/ci-adversary/.github/workflows/other.yml@refs/heads/main"))));
        bad.put("wrong environment", issuer.mint(valid.andThen(b -> b.claim("environment", "staging"))));
        bad.put("no environment", issuer.mint(valid.andThen(b -> b.claim("environment", null))));
        bad.put(
                "unknown kid",
                TestOidcIssuer.sign(
                        claims(valid),
                        issuer.key(),
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build()));
        RSAKey other = new RSAKeyGenerator(2048).keyID("test-key-1").generate();
        bad.put(
                "signed by another key",
                TestOidcIssuer.sign(
                        claims(valid),
                        other,
                        new JWSHeader.Builder(JWSAlgorithm.RS256)
                                .keyID("test-key-1")
                                .build()));
        bad.put(
                "key in the header",
                TestOidcIssuer.sign(
                        claims(valid),
                        other,
                        new JWSHeader.Builder(JWSAlgorithm.RS256)
                                .keyID("test-key-1")
                                .jwk(other.toPublicJWK())
                                .build()));
        bad.put("alg none", new PlainJWT(claims(valid)).serialize());
        SignedJWT hs = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("test-key-1").build(), claims(valid));
        hs.sign(new MACSigner(new byte[32]));
        bad.put("HS256", hs.serialize());
        String genuine = issuer.mint(valid);
        String[] parts = genuine.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("alice/ci-adversary", "alice/ci-adversarx");
        bad.put(
                "tampered payload",
                parts[0] + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                        + "." + parts[2]);
        bad.put("garbage", "not-a-jwt");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Http.Response r = exchange(e.getValue());
            assertThat(r.status()).as(e.getKey()).isEqualTo(401);
            assertThat(r.json().path("message").asText()).as(e.getKey()).contains("Trusted publishing failed");
        }
        assertThat(exchangeWith(null).status()).isEqualTo(401);
        assertThat(tokenRows()).as("nothing issued").isEqualTo(before);
        var failures = registry.airlock.audit.forTarget("package:ci-adversary").stream()
                .filter(ev ->
                        ev.action().equals("oidc.exchange") && ev.outcome().equals("failure"))
                .toList();
        assertThat(failures.size()).isGreaterThanOrEqualTo(bad.size());

        // replay: the same token again, and concurrently — exactly one token is issued
        String once = issuer.mint(valid);
        assertThat(exchange(once).status()).isEqualTo(200);
        assertThat(exchange(once).status()).isEqualTo(401);
        String shared = issuer.mint(valid);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return exchange(shared).status();
                }));
            }
            go.countDown();
            int issued = 0;
            for (Future<Integer> f : results) {
                issued += f.get() == 200 ? 1 : 0;
            }
            assertThat(issued).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        // a token without jti is de-duplicated by its hash
        String noJti = issuer.mint(valid.andThen(b -> b.jwtID(null)));
        assertThat(exchange(noJti).status()).isEqualTo(200);
        assertThat(exchange(noJti).status()).isEqualTo(401);
    }

    @Test
    void anExchangedTokenCanOnlyPublishOrStageItsPackage() {
        trustIfAbsent();
        Map<String, Object> claims = github("alice/ci-pkg", "1001", "publish.yml", null);
        String token = exchange(issuer.mint(b -> {
                    b.audience("npm:127.0.0.1");
                    claims.forEach(b::claim);
                }))
                .json()
                .path("token")
                .asText();
        assertThat(token).startsWith("npm_");
        assertThat(registry.http.get("ci-pkg", token).status()).isEqualTo(200);
        assertThat(registry.http
                        .send("PUT", "-/package/ci-pkg/dist-tags/x1", token, "\"1.0.0\"")
                        .status())
                .isEqualTo(403);
        assertThat(registry.http.get("-/stage", token).status()).isEqualTo(403);
        assertThat(registry.http.get("-/npm/v1/tokens", token).status()).isEqualTo(403);
        assertThat(registry.http.get("-/whoami", token).status()).isEqualTo(403);
        Http.Response otherPackage = registry.http.send(
                "POST",
                "-/stage/package/ci-direct",
                token,
                dev.airlock.platform.json.Json.write(dev.airlock.testing.Tarballs.publishBody("ci-direct", "9.0.0")));
        assertThat(otherPackage.status()).isIn(403, 404);
        registry.clock.advance(java.time.Duration.ofMinutes(16));
        assertThat(registry.http.get("ci-pkg", token).status())
                .as("15-minute lifetime")
                .isEqualTo(401);
    }

    private static void trustIfAbsent() {
        if (registry.http.get("-/package/ci-pkg/trust", aliceToken).json().isEmpty()) {
            trust("ci-pkg", "--file=publish.yml", "--repository=alice/ci-pkg", "--allow-stage-publish");
        }
    }

    private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> c) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuer.issuer())
                .issueTime(new Date(registry.clock.millis()))
                .expirationTime(new Date(registry.clock.millis() + 300_000))
                .jwtID(java.util.UUID.randomUUID().toString());
        c.accept(b);
        return b.build();
    }

    static Http.Response exchange(String idToken) {
        return exchangeWith(idToken);
    }

    static Http.Response exchangeWith(String idToken) {
        return idToken == null
                ? registry.http.send("POST", EXCHANGE + "ci-adversary", null, null)
                : registry.http.send(
                        "POST",
                        EXCHANGE + (idToken.contains(".") ? target(idToken) : "ci-adversary"),
                        null,
                        null,
                        "Authorization",
                        "Bearer " + idToken);
    }

    private static String target(String idToken) {
        try {
            String payload = new String(Base64.getUrlDecoder().decode(idToken.split("\\.")[1]), StandardCharsets.UTF_8);
            return "alice/ci-pkg"
                            .equals(dev.airlock.platform.json.Json.parse(payload)
                                    .path("repository")
                                    .asText())
                    ? "ci-pkg"
                    : "ci-adversary";
        } catch (RuntimeException e) {
            return "ci-adversary";
        }
    }
}
