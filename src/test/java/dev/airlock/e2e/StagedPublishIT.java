package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staged publishing, 2FA and policies through the real npm 11.19.1 CLI (issue #3). */
class StagedPublishIT {
    static final Pattern STAGE_ID = Pattern.compile("staged with id ([0-9a-f-]{36})");
    static TestRegistry registry;
    static Npm alice;
    static Npm bob;
    static Npm carol;
    static Npm ci;
    static Authenticator aliceApp;
    static Authenticator bobApp;
    static Authenticator carolApp;
    static String aliceToken;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        aliceToken = registry.userWithToken("alice");
        String bobToken = registry.userWithToken("bob");
        String carolToken = registry.userWithToken("carol");
        aliceApp = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
        bobApp = registry.enableTwoFactor("bob", bobToken, "auth-and-writes");
        carolApp = registry.enableTwoFactor("carol", carolToken, "auth-and-writes");
        alice = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceToken);
        bob = Npm.withToken(tmp.resolve("bob"), registry.url(), bobToken);
        carol = Npm.withToken(tmp.resolve("carol"), registry.url(), carolToken);
        // the pipeline holds an automation token of alice's, created with the real CLI (password + code)
        Cli.Result created =
                ok(alice.run(tmp, "token", "create", "--password=alice-password", "--otp=" + aliceApp.next()));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(created.stdout());
        assertThat(m.find()).as(created.toString()).isTrue();
        ci = Npm.withToken(tmp.resolve("ci"), registry.url(), m.group(1));
        registry.createOrg("acme", "alice");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static Path pkg(String dir, String json) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        Files2.write(d.resolve("package.json"), json);
        Files2.write(d.resolve("index.js"), "module.exports = '" + json.hashCode() + "';\n");
        return d;
    }

    static String stageId(Cli.Result r) {
        Matcher m = STAGE_ID.matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    @Test
    void aPipelineStagesAndOnlyAHumanWithASecondFactorReleases() {
        Path d = pkg("gated", "{\"name\":\"gated\",\"version\":\"1.0.0\",\"license\":\"MIT\"}");
        fails(alice.run(d, "publish"), "EOTP");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        Http.Response full = registry.http.get("gated", null);
        Http.Response corgi = registry.http.get("gated", null, "Accept", "application/vnd.npm.install-v1+json");

        Files2.write(d.resolve("package.json"), "{\"name\":\"gated\",\"version\":\"1.1.0\",\"license\":\"MIT\"}");
        Cli.Result staged = ok(ci.run(d, "stage", "publish"));
        String id = stageId(staged);
        assertThat(staged.stdout()).contains("+ gated@1.1.0");

        // invisible on every read path until approved
        Http.Response fullAfter = registry.http.get("gated", null);
        assertThat(fullAfter.header("ETag")).isEqualTo(full.header("ETag"));
        assertThat(fullAfter.body()).isEqualTo(full.body()).doesNotContain("1.1.0");
        assertThat(registry.http
                        .get("gated", null, "Accept", "application/vnd.npm.install-v1+json")
                        .header("ETag"))
                .isEqualTo(corgi.header("ETag"));
        assertThat(registry.http.get("gated/1.1.0", null).status()).isEqualTo(404);
        assertThat(registry.http.get("gated/-/gated-1.1.0.tgz", null).status()).isEqualTo(404);
        assertThat(registry.http
                        .get("-/package/gated/dist-tags", null)
                        .json()
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
        assertThat(registry.http.get("-/v1/search?text=gated", null).body()).doesNotContain("1.1.0");
        assertThat(ok(bob.run(tmp, "view", "gated", "versions", "--json")).stdout())
                .doesNotContain("1.1.0");
        Path consumer = tmp.resolve("consumer-gated");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"c\",\"version\":\"1.0.0\"}");
        fails(bob.run(consumer, "install", "gated@1.1.0"), "ETARGET");

        // the maintainer sees it; others get the same 404 as for an unknown id
        assertThat(ok(alice.run(tmp, "stage", "list")).stdout()).contains(id).contains("package name: gated");
        String view = ok(alice.run(tmp, "stage", "view", id)).stdout();
        assertThat(view)
                .contains("version: 1.1.0")
                .contains("staged by: alice (token)")
                .contains("approvals: 0/1");
        JsonNode listed = Json.parse(
                ok(alice.run(tmp, "stage", "list", "gated", "--json")).stdout());
        assertThat(listed.get(0).path("integrity").asText()).startsWith("sha512-");
        fails(bob.run(tmp, "stage", "view", id), "E404");
        fails(bob.run(tmp, "stage", "view", "00000000-0000-4000-8000-000000000000"), "E404");
        Path downloads = tmp.resolve("downloads");
        ok(alice.run(downloads, "stage", "download", id));
        assertThat(downloads.resolve("gated-1.1.0-" + id + ".tgz")).exists();

        // automation can stage, never approve; a human needs a fresh code
        fails(ci.run(tmp, "stage", "approve", id, "--otp=" + aliceApp.next()), "Only a person can approve");
        fails(bob.run(tmp, "stage", "approve", id, "--otp=" + bobApp.next()), "E404");
        fails(alice.run(tmp, "stage", "approve", id), "EOTP");
        Cli.Result approved = ok(alice.run(tmp, "stage", "approve", id, "--otp=" + aliceApp.next()));
        assertThat(approved.stdout()).contains("Staged package " + id + " approved and published successfully.");

        ok(bob.run(consumer, "install", "gated@1.1.0"));
        assertThat(Files2.read(consumer.resolve("node_modules/gated/package.json")))
                .contains("1.1.0");
        assertThat(ok(bob.run(tmp, "view", "gated", "dist-tags.latest"))
                        .stdout()
                        .trim())
                .isEqualTo("1.1.0");
        // every version says how it was authorised
        JsonNode gate = Json.parse(
                ok(bob.run(tmp, "view", "gated@1.1.0", "airlock", "--json")).stdout());
        assertThat(gate.path("method").asText()).isEqualTo("staged");
        assertThat(gate.path("stagedBy").asText()).isEqualTo("alice");
        assertThat(gate.path("stagedVia").asText()).isEqualTo("token");
        assertThat(gate.path("approvedBy").get(0).path("name").asText()).isEqualTo("alice");
        assertThat(gate.path("approvedBy").get(0).path("factor").asText()).isEqualTo("totp");
        JsonNode direct = Json.parse(
                ok(bob.run(tmp, "view", "gated@1.0.0", "airlock", "--json")).stdout());
        assertThat(direct.path("method").asText()).isEqualTo("publish");
        assertThat(direct.path("via").asText()).isEqualTo("user");
        assertThat(direct.path("secondFactor").asText()).isEqualTo("totp");
        assertThat(ok(alice.run(tmp, "stage", "list", "gated")).stdout())
                .contains("No staged versions of package name \"gated\"");
        // the same code can never be used twice: approving again (or anything) with a spent code fails
        fails(alice.run(tmp, "stage", "approve", id, "--otp=" + aliceApp.now()), "cannot be approved");
    }

    @Test
    void aBrandNewPackageStaysInvisibleUntilItsFirstApproval() {
        Path d = pkg("fresh", "{\"name\":\"fresh-one\",\"version\":\"0.1.0\"}");
        String id = stageId(ok(ci.run(d, "stage", "publish")));
        assertThat(registry.http.get("fresh-one", null).status()).isEqualTo(404);
        fails(bob.run(tmp, "view", "fresh-one"), "E404");
        // the name is reserved for the stager's owner
        Path squat = pkg("squat", "{\"name\":\"fresh-one\",\"version\":\"9.9.9\"}");
        fails(bob.run(squat, "publish", "--otp=" + bobApp.next()), "do not have permission");
        ok(alice.run(tmp, "stage", "approve", id, "--otp=" + aliceApp.next()));
        assertThat(ok(bob.run(tmp, "view", "fresh-one", "version")).stdout().trim())
                .isEqualTo("0.1.0");
    }

    @Test
    void rejectDiscardsTheUploadAndFreesTheNumber() {
        Path d = pkg("rejected", "{\"name\":\"rejectable\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        Files2.write(d.resolve("package.json"), "{\"name\":\"rejectable\",\"version\":\"2.0.0\"}");
        String id = stageId(ok(ci.run(d, "stage", "publish")));
        fails(ci.run(d, "stage", "publish"), "already staged");
        fails(alice.run(tmp, "stage", "reject", id), "EOTP");
        ok(alice.run(tmp, "stage", "reject", id, "--otp=" + aliceApp.next()));
        assertThat(ok(alice.run(tmp, "stage", "view", id)).stdout()).contains("state: rejected");
        assertThat(ok(alice.run(tmp, "stage", "list")).stdout()).doesNotContain(id);
        assertThat(registry.http.get("rejectable", null).body()).doesNotContain("2.0.0");
        String again = stageId(ok(ci.run(d, "stage", "publish")));
        assertThat(again).isNotEqualTo(id);
    }

    @Test
    void twoPersonRule() {
        ok(alice.run(tmp, "org", "set", "acme", "bob", "admin", "--otp=" + aliceApp.next()));
        ok(alice.run(tmp, "org", "set", "acme", "carol", "admin", "--otp=" + aliceApp.next()));
        Http.Response set = registry.http.send(
                "PUT", "-/airlock/v1/policy/org/acme", aliceToken, "{\"approvals\":2}", "npm-otp", aliceApp.next());
        assertThat(set.status()).as(set.body()).isEqualTo(200);

        Path d = pkg("dual", "{\"name\":\"@acme/dual\",\"version\":\"1.0.0\"}");
        Npm aliceSession = alice;
        String id = stageId(ok(aliceSession.run(d, "stage", "publish", "--access", "public")));
        assertThat(ok(alice.run(tmp, "stage", "view", id)).stdout()).contains("approvals: 0/2");
        fails(alice.run(tmp, "stage", "approve", id, "--otp=" + aliceApp.next()), "staged @acme/dual@1.0.0 yourself");

        Cli.Result first = ok(bob.run(tmp, "stage", "approve", id, "--otp=" + bobApp.next()));
        assertThat(first.stderr()).contains("npm notice 1 of 2 approvals recorded");
        assertThat(registry.http.get("@acme%2fdual", null).status()).isEqualTo(404);
        fails(bob.run(tmp, "stage", "approve", id, "--otp=" + bobApp.next()), "already approved");

        Cli.Result second = ok(carol.run(tmp, "stage", "approve", id, "--otp=" + carolApp.next()));
        assertThat(second.stderr()).doesNotContain("approvals recorded");
        assertThat(registry.http
                        .get("@acme%2fdual", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
        var events = registry.airlock.audit.forTarget("package:@acme/dual");
        assertThat(events.stream().map(e -> e.action()).toList())
                .containsSubsequence("stage.create", "stage.approve", "stage.approve", "package.publish");
        assertThat(events.stream()
                        .filter(e -> e.action().equals("stage.approve"))
                        .map(e -> e.outcome() + " " + e.detail().get("factor"))
                        .toList())
                // the refused attempts (the same maintainer approving twice) are audited as failures, with no factor
                .containsOnly("success totp", "failure null")
                .contains("success totp", "failure null");
        registry.http.send(
                "PUT", "-/airlock/v1/policy/org/acme", aliceToken, "{\"approvals\":1}", "npm-otp", aliceApp.next());
    }

    @Test
    void stagingRequiredRefusesDirectPublish() {
        Path d = pkg("strict", "{\"name\":\"strict-pkg\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        Http.Response set = registry.http.send(
                "PUT",
                "-/airlock/v1/policy/package/strict-pkg",
                aliceToken,
                "{\"stagingRequired\":true}",
                "npm-otp",
                aliceApp.next());
        assertThat(set.json().path("effective").path("stagingRequired").asBoolean())
                .as(set.body())
                .isTrue();
        Files2.write(d.resolve("package.json"), "{\"name\":\"strict-pkg\",\"version\":\"1.0.1\"}");
        fails(alice.run(d, "publish", "--otp=" + aliceApp.next()), "Run `npm stage publish`");
        ok(ci.run(d, "stage", "publish"));
    }

    @Test
    void mfaPublishPolicyThroughNpmAccess() {
        Path d = pkg("mfa", "{\"name\":\"mfa-pkg\",\"version\":\"1.0.0\"}");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        ok(alice.run(tmp, "access", "set", "mfa=publish", "mfa-pkg", "--otp=" + aliceApp.next()));
        Http.Response policy = registry.http.get("-/airlock/v1/policy/package/mfa-pkg", aliceToken);
        assertThat(policy.json().path("effective").path("mfa").asText()).isEqualTo("publish");
        Files2.write(d.resolve("package.json"), "{\"name\":\"mfa-pkg\",\"version\":\"1.0.1\"}");
        fails(ci.run(d, "publish"), "automation tokens cannot publish");
        fails(alice.run(d, "publish"), "EOTP");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        ok(alice.run(tmp, "access", "set", "mfa=none", "mfa-pkg", "--otp=" + aliceApp.next()));
        Files2.write(d.resolve("package.json"), "{\"name\":\"mfa-pkg\",\"version\":\"1.0.2\"}");
        // mfa=none: a token that does not bypass 2FA still needs a code from an auth-and-writes account
        fails(ci.run(d, "publish"), "EOTP");
        ok(ci.run(d, "publish", "--otp=" + aliceApp.next()));
    }

    @Test
    void enableTwoFactorThroughTheCliThenLoginAsksForACode() {
        String token = registry.userWithToken("dan");
        Npm dan = Npm.withToken(tmp.resolve("dan"), registry.url(), token);
        Authenticator[] app = new Authenticator[1];
        Cli.Result enabled = ok(dan.run(
                tmp,
                List.of(
                        new Cli.Answer("npm password:", out -> "dan-password"),
                        new Cli.Answer("And an OTP code from your authenticator:", out -> {
                            Matcher m = Pattern.compile("Or enter code: *([A-Z2-7]+)")
                                    .matcher(out);
                            m.find();
                            app[0] = new Authenticator(m.group(1), registry.clock);
                            return app[0].next();
                        })),
                "profile",
                "enable-2fa",
                "auth-only"));
        assertThat(enabled.stdout()).contains("2FA successfully enabled");
        assertThat(ok(dan.run(tmp, "profile", "get")).stdout()).contains("two-factor auth: auth-only");
        // secrets are encrypted at rest
        String stored = registry.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT secret_enc FROM tfa WHERE user_name = 'dan'")
                .mapTo(String.class)
                .one());
        assertThat(stored).startsWith("v1:").doesNotContain(app[0].secret());

        Path d = pkg("dans", "{\"name\":\"dans-pkg\",\"version\":\"1.0.0\"}");
        ok(dan.run(d, "publish")); // auth-only: writes need no code
        Npm fresh = new Npm(tmp.resolve("dan-again"), registry.url());
        fails(
                fresh.run(
                        tmp,
                        Cli.answers("Username:", "dan", "Password:", "dan-password"),
                        "login",
                        "--auth-type=legacy"),
                "EOTP");
        ok(fresh.run(
                tmp, Cli.answers("Username:", "dan", "Password:", "dan-password"), "login", "--otp=" + app[0].next()));
        assertThat(ok(fresh.run(tmp, "whoami")).stdout().trim()).isEqualTo("dan");

        ok(dan.run(
                tmp,
                Cli.answers("npm password:", "dan-password"),
                "profile",
                "enable-2fa",
                "auth-and-writes",
                "--otp=" + app[0].next()));
        assertThat(ok(dan.run(tmp, "profile", "get")).stdout()).contains("two-factor auth: auth-and-writes");
        fails(dan.run(tmp, "dist-tag", "add", "dans-pkg@1.0.0", "stable"), "EOTP");
        ok(dan.run(tmp, "dist-tag", "add", "dans-pkg@1.0.0", "stable", "--otp=" + app[0].next()));

        Cli.Result disabled = ok(dan.run(
                tmp, Cli.answers("npm password:", "dan-password"), "profile", "disable-2fa", "--otp=" + app[0].next()));
        assertThat(disabled.stdout()).contains("Two factor authentication disabled.");
        assertThat(ok(dan.run(tmp, "profile", "get")).stdout()).contains("two-factor auth: disabled");
    }

    @Test
    void approvalNeedsTwoFactorEnabledAndAnOrgCanRequireIt() {
        String token = registry.userWithToken("erin");
        Npm erin = Npm.withToken(tmp.resolve("erin"), registry.url(), token);
        Path d = pkg("erins", "{\"name\":\"erins-pkg\",\"version\":\"1.0.0\"}");
        ok(erin.run(d, "publish"));
        Files2.write(d.resolve("package.json"), "{\"name\":\"erins-pkg\",\"version\":\"1.1.0\"}");
        String id = stageId(ok(erin.run(d, "stage", "publish")));
        fails(erin.run(tmp, "stage", "approve", id, "--otp=123456"), "You must enable two-factor authentication");

        ok(alice.run(tmp, "org", "set", "acme", "erin", "developer", "--otp=" + aliceApp.next()));
        registry.http.send(
                "PUT", "-/airlock/v1/policy/org/acme", aliceToken, "{\"require2fa\":true}", "npm-otp", aliceApp.next());
        Path scoped = pkg("erin-acme", "{\"name\":\"@acme/erins\",\"version\":\"1.0.0\"}");
        fails(erin.run(scoped, "publish", "--access", "public"), "requires two-factor authentication for its members");
        fails(
                erin.run(scoped, "stage", "publish", "--access", "public"),
                "requires two-factor authentication for its members");
        registry.http.send(
                "PUT",
                "-/airlock/v1/policy/org/acme",
                aliceToken,
                "{\"require2fa\":false}",
                "npm-otp",
                aliceApp.next());
        assertThat(Files.exists(d)).isTrue();
    }
}
