package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /-/airlock/v1/package/NAME/policy for every kind of credential, and what really happens when that credential
 * runs the real npm 11.19.1: "direct" publishes, "stage" is refused a direct publish and stages, "none" is refused.
 */
class PreflightIT {
    static TestRegistry registry;
    static TestOidcIssuer issuer;
    static String aliceSession;
    static Authenticator alice;
    static String bobSession;
    static String carolSession;
    static Npm aliceNpm;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        registry = TestRegistry.start(issuer.config("github"), clock);
        aliceSession = registry.userWithToken("alice");
        alice = registry.enableTwoFactor("alice", aliceSession, "auth-and-writes");
        bobSession = registry.userWithToken("bob");
        carolSession = registry.userWithToken("carol");
        registry.createOrg("acme", "alice");
        aliceNpm = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceSession);
        ok(aliceNpm.run(pkg("plain", "1.0.0"), "publish", "--otp=" + alice.next()));
        ok(aliceNpm.run(pkg("@acme/guarded", "1.0.0"), "publish", "--otp=" + alice.next()));
        ok(aliceNpm.run(tmp, "access", "set", "mfa=none", "@acme/guarded", "--otp=" + alice.next()));
        Http.Response set = registry.http.send(
                "PUT",
                "-/airlock/v1/policy/package/@acme%2fguarded",
                aliceSession,
                "{\"stagingRequired\":true}",
                "npm-otp",
                alice.next());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        ok(npm(carolSession, "carol").run(pkg("carol-pkg", "1.0.0"), "publish"));
        issuer.pipelineClaims = github("alice/plain");
        ok(aliceNpm.run(
                tmp,
                "trust",
                "github",
                "plain",
                "--yes",
                "--otp=" + alice.next(),
                "--file=publish.yml",
                "--repository=alice/plain",
                "--allow-stage-publish"));
    }

    @AfterAll
    static void stop() {
        registry.close();
        issuer.close();
    }

    static Map<String, Object> github(String repo) {
        Map<String, Object> c = new HashMap<>();
        c.put("repository", repo);
        c.put("repository_owner", repo.split("/")[0]);
        c.put("repository_owner_id", "1001");
        c.put("workflow_ref", repo + "/.github/workflows/publish.yml@refs/heads/main");
        c.put("ref", "refs/heads/main");
        c.put("sha", "0123456789abcdef0123456789abcdef01234567");
        c.put("run_id", "4242");
        c.put("repository_visibility", "private");
        return c;
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name.replace("/", "_") + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    static Npm npm(String token, String home) {
        return Npm.withToken(tmp.resolve(home), registry.url(), token);
    }

    static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    static Cli.Result fails(Cli.Result r, String text) {
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.all()).contains(text);
        return r;
    }

    static Http.Response ask(String name, String token) {
        return registry.http.get("-/airlock/v1/package/" + name + "/policy", token);
    }

    static JsonNode caller(String name, String token) {
        Http.Response r = ask(name, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("caller");
    }

    static String token(Npm owner, String... flags) {
        String[] args = new String[flags.length + 3];
        args[0] = "token";
        args[1] = "create";
        args[2] = "--password=" + owner.home().getFileName() + "-password";
        System.arraycopy(flags, 0, args, 3, flags.length);
        Cli.Result r = ok(owner.run(tmp, args));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    @Test
    void theAnswerCarriesTheEffectivePolicyForBothFormsOfAScopedName() {
        for (String form : List.of("@acme%2fguarded", "@acme/guarded", "@acme%2Fguarded")) {
            Http.Response r = ask(form, aliceSession);
            assertThat(r.status()).as(form + " " + r.body()).isEqualTo(200);
            JsonNode a = r.json();
            assertThat(a.path("package").asText()).isEqualTo("@acme/guarded");
            assertThat(a.path("exists").asBoolean()).isTrue();
            assertThat(a.path("org").asText()).isEqualTo("acme");
            assertThat(a.path("policy").path("stagingRequired").asBoolean()).isTrue();
            assertThat(a.path("policy").path("mfa").asText()).isEqualTo("none");
            assertThat(a.path("policy").path("approvals").asInt()).isEqualTo(1);
            assertThat(a.path("policy").path("securityKeyApproval").asBoolean()).isFalse();
            assertThat(a.path("policy").has("requireProvenance")).isTrue();
            assertThat(a.path("caller").path("publish").asText()).isEqualTo("stage");
        }
        assertThat(ask("@acme%2fguarded/other", aliceSession).status()).isEqualTo(404);
    }

    @Test
    void anonymousCallersSeeThePolicyAndCanDoNothing() {
        JsonNode c = caller("plain", null);
        assertThat(c.path("publish").asText()).isEqualTo("none");
        assertThat(c.path("reason").asText()).contains("not logged in");
        // a name nobody holds, asked by someone who could not create it: the same 404 as an invisible package
        assertThat(ask("nobody-has-this", null).status()).isEqualTo(404);
    }

    @Test
    void aReadOnlyGranularTokenCanDoNothing() {
        String ro =
                token(npm(carolSession, "carol"), "--packages=carol-pkg", "--packages-and-scopes-permission=read-only");
        JsonNode c = caller("carol-pkg", ro);
        assertThat(c.path("credential").asText()).isEqualTo("granular");
        assertThat(c.path("publish").asText()).isEqualTo("none");
        assertThat(c.path("reason").asText()).contains("read-only");
        fails(npm(ro, "carol-ro").run(pkg("carol-pkg", "1.1.0"), "publish"), "read-only");
        // it could not create a new name either, so a new name is a 404 to it
        assertThat(ask("carol-new", ro).status()).isEqualTo(404);
    }

    @Test
    void aGranularTokenWithPublishPublishesDirectly() {
        String rw = token(
                npm(carolSession, "carol"), "--packages=carol-pkg", "--packages-and-scopes-permission=read-write");
        JsonNode c = caller("carol-pkg", rw);
        assertThat(c.path("publish").asText()).isEqualTo("direct");
        assertThat(c.path("secondFactor").isNull()).isTrue();
        assertThat(c.path("stage").asBoolean()).isTrue();
        ok(npm(rw, "carol-rw").run(pkg("carol-pkg", "1.2.0"), "publish"));
        assertThat(registry.http.get("carol-pkg", null).json().path("versions").has("1.2.0"))
                .isTrue();
    }

    @Test
    void aBypassTokenStagesOnly() {
        String bypass = token(aliceNpm, "--bypass-2fa", "--otp=" + alice.next());
        Npm ci = npm(bypass, "alice-ci");
        JsonNode c = caller("plain", bypass);
        assertThat(c.path("publish").asText()).isEqualTo("stage");
        assertThat(c.path("reason").asText()).contains("can only stage");
        fails(ci.run(pkg("plain", "2.0.0"), "publish"), "can only stage");
        assertThat(ok(ci.run(pkg("plain", "2.0.1"), "stage", "publish")).stdout())
                .contains("staged with id");
    }

    @Test
    void aSessionWithTwoFactorPublishesWithACodeAndStagesWhereStagingIsRequired() {
        JsonNode c = caller("plain", aliceSession);
        assertThat(c.path("credential").asText()).isEqualTo("session");
        assertThat(c.path("publish").asText()).isEqualTo("direct");
        assertThat(c.path("secondFactor").asText()).isEqualTo("otp");
        ok(aliceNpm.run(pkg("plain", "3.0.0"), "publish", "--otp=" + alice.next()));

        JsonNode g = caller("@acme%2fguarded", aliceSession);
        assertThat(g.path("publish").asText()).isEqualTo("stage");
        assertThat(g.path("reason").asText()).contains("requires staged publishing");
        fails(aliceNpm.run(pkg("@acme/guarded", "1.1.0"), "publish", "--otp=" + alice.next()), "staged publishing");
        ok(aliceNpm.run(pkg("@acme/guarded", "1.1.1"), "stage", "publish"));
    }

    @Test
    void aSessionWithoutTwoFactorPublishesWithoutACode() {
        JsonNode c = caller("carol-pkg", carolSession);
        assertThat(c.path("publish").asText()).isEqualTo("direct");
        assertThat(c.path("secondFactor").isNull()).isTrue();
        ok(npm(carolSession, "carol").run(pkg("carol-pkg", "1.3.0"), "publish"));
    }

    @Test
    void aUserWhoIsNotAMaintainerCanDoNothingButCreateNamesTheyMay() {
        Npm bob = npm(bobSession, "bob");
        JsonNode c = caller("plain", bobSession);
        assertThat(c.path("publish").asText()).isEqualTo("none");
        assertThat(c.path("reason").asText()).contains("not one of its maintainers");
        fails(bob.run(pkg("plain", "4.0.0"), "publish"), "not one of its maintainers");

        // a new name bob may create: the policy it would get, exists false, and the publish works
        Http.Response fresh = ask("bob-new", bobSession);
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
        assertThat(fresh.json().path("exists").asBoolean()).isFalse();
        assertThat(fresh.json().path("caller").path("publish").asText()).isEqualTo("direct");
        ok(bob.run(pkg("bob-new", "1.0.0"), "publish"));
        assertThat(caller("bob-new", bobSession).path("publish").asText()).isEqualTo("direct");

        // a name in an org's scope bob is not a member of: he could not create it, so 404 (nothing leaks)
        assertThat(ask("@acme%2fnew", bobSession).status()).isEqualTo(404);
        fails(bob.run(pkg("@acme/new", "1.0.0"), "publish"), "not a member of org");
        // alice could create it: she learns the org's policy a new package would inherit
        Http.Response orgNew = ask("@acme%2fnew", aliceSession);
        assertThat(orgNew.status()).isEqualTo(200);
        assertThat(orgNew.json().path("exists").asBoolean()).isFalse();
        assertThat(orgNew.json().path("org").asText()).isEqualTo("acme");
    }

    @Test
    void aTrustedPublishingTokenStagesWhatItsRelationshipAllows() {
        Map<String, Object> claims = github("alice/plain");
        Http.Response exchanged = registry.http.send(
                "POST",
                "-/npm/v1/oidc/token/exchange/package/plain",
                null,
                null,
                "Authorization",
                "Bearer "
                        + issuer.mint(b -> {
                            b.audience("npm:127.0.0.1");
                            b.jwtID(UUID.randomUUID().toString());
                            claims.forEach(b::claim);
                        }));
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        String oidc = exchanged.json().path("token").asText();
        JsonNode c = caller("plain", oidc);
        assertThat(c.path("credential").asText()).isEqualTo("oidc");
        assertThat(c.path("publish").asText()).isEqualTo("stage");
        assertThat(c.path("reason").asText()).contains("allows staging only");
        // another package is out of its reach
        assertThat(caller("carol-pkg", oidc).path("publish").asText()).isEqualTo("none");

        fails(pipeline(pkg("plain", "5.0.0"), "publish"), "allows staging only");
        assertThat(ok(pipeline(pkg("plain", "5.0.1"), "stage", "publish")).stdout())
                .contains("staged with id");
    }

    @Test
    void npmAccessGetStatusShowsThePolicyAsANotice() {
        Cli.Result r = ok(aliceNpm.run(tmp, "access", "get", "status", "@acme/guarded"));
        assertThat(r.stdout()).contains("@acme/guarded: public");
        assertThat(r.all())
                .contains("Airlock policy of @acme/guarded: staging required")
                .contains("This credential: stage (npm stage publish)");
    }

    /** The pipeline: npm with GitHub Actions' environment and no npm token at all (it exchanges its own). */
    static Cli.Result pipeline(Path cwd, String... args) {
        Npm ci = new Npm(tmp.resolve("pipeline-" + System.nanoTime()), registry.url());
        return issuer.githubActionsRun(ci, cwd, List.of(), args);
    }
}
