package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import dev.airlock.tokens.TokenService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each security-relevant action, done the way it happens (the real npm CLI, the console's forms, the operator's
 * command line, a pipeline's OIDC exchange), writes its event with the fields docs/audit.md promises: action, outcome,
 * actor (user, credential, token id / name / bypass flag, CI identity), factor, source address and user agent, target
 * and, for publish and approve, the tarball integrity. Then no entry of the whole run contains a password, a token or a
 * code that was used.
 */
class AuditEventsIT {
    static final String BROWSER = "Mozilla/5.0 (AuditEventsIT)";
    static TestRegistry registry;
    static TestOidcIssuer issuer;
    static final List<String> secrets = new ArrayList<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        Map<String, String> settings = new HashMap<>(issuer.config("github"));
        settings.put("server.trustedProxies", "127.0.0.1");
        registry = TestRegistry.start(settings, clock);
    }

    @AfterAll
    static void stop() {
        registry.close();
        issuer.close();
    }

    static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    static Cli.Result fails(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isNotZero();
        return r;
    }

    /** The newest entry with this action and outcome, as the log stores it. */
    static JsonNode last(String action, String outcome) {
        List<AuditEvent> all = registry.airlock.audit.all();
        for (int i = all.size() - 1; i >= 0; i--) {
            AuditEvent e = all.get(i);
            if (e.action().equals(action) && e.outcome().equals(outcome)) {
                return Json.parse(e.entry());
            }
        }
        throw new AssertionError("no " + outcome + " event " + action + " in " + actions());
    }

    static long count(String action, String outcome) {
        return registry.airlock.audit.all().stream()
                .filter(e -> e.action().equals(action) && e.outcome().equals(outcome))
                .count();
    }

    static List<String> actions() {
        return registry.airlock.audit.all().stream()
                .map(e -> e.action() + "/" + e.outcome())
                .toList();
    }

    static void fromNpm(JsonNode e) {
        assertThat(e.path("source").path("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(e.path("source").path("userAgent").asText()).startsWith("npm/11.");
    }

    static String tokenId(String secret) {
        return TokenService.keyOf(secret).substring(0, 16);
    }

    static String code(Authenticator app) {
        String c = app.next();
        secrets.add(c);
        return c;
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = '" + version + "';\n");
        return d;
    }

    static String stageId(Cli.Result r) {
        Matcher m = Pattern.compile("([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
                .matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    static int form(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", BROWSER)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void everyActionWritesItsEventAndNoEntryHoldsASecret() throws Exception {
        // the operator creates the account from the command line
        registry.addUser("alice", "alice-password");
        secrets.add("alice-password");
        JsonNode created = last("user.create", "success");
        assertThat(created.path("actor").path("credential").asText()).isEqualTo("cli");
        assertThat(created.path("target").asText()).isEqualTo("user:alice");

        // npm login: a wrong password, then the right one
        Npm alice = new Npm(tmp.resolve("alice"), registry.url());
        fails(alice.run(
                tmp,
                Cli.answers("Username:", "alice", "Password:", "not-her-password"),
                "login",
                "--auth-type=legacy"));
        secrets.add("not-her-password");
        JsonNode wrong = last("user.login", "failure");
        fromNpm(wrong);
        assertThat(wrong.path("detail").path("reason").asText()).isEqualTo("wrong password");
        assertThat(wrong.path("target").asText()).isEqualTo("user:alice");
        ok(alice.run(
                tmp, Cli.answers("Username:", "alice", "Password:", "alice-password"), "login", "--auth-type=legacy"));
        JsonNode login = last("user.login", "success");
        fromNpm(login);
        assertThat(login.path("actor").path("user").asText()).isEqualTo("alice");
        assertThat(login.path("actor").path("credential").asText()).isEqualTo("password");
        Matcher t = Pattern.compile("_authToken=(npm_[A-Za-z0-9]+)").matcher(alice.userconfig());
        assertThat(t.find()).isTrue();
        String session = t.group(1);
        secrets.add(session);
        JsonNode sessionCreated = last("token.create", "success");
        assertThat(sessionCreated.path("target").asText()).isEqualTo("token:" + tokenId(session));

        // 2FA enrolment (npm profile enable-2fa's requests)
        Authenticator app = registry.enableTwoFactor("alice", session, "auth-and-writes");
        secrets.add(app.secret());
        assertThat(last("tfa.enrol", "success").path("target").asText()).isEqualTo("user:alice");
        assertThat(last("tfa.enable", "success")
                        .path("actor")
                        .path("token")
                        .path("id")
                        .asText())
                .isEqualTo(tokenId(session));

        // a direct publish with a code: the factor, the token and the tarball's integrity
        ok(alice.run(pkg("audited", "1.0.0"), "publish", "--otp=" + code(app)));
        JsonNode publish = last("package.publish", "success");
        fromNpm(publish);
        assertThat(publish.path("target").asText()).isEqualTo("package:audited");
        assertThat(publish.path("factor").asText()).isEqualTo("totp");
        assertThat(publish.path("detail").path("integrity").asText()).startsWith("sha512-");
        assertThat(publish.path("actor").path("token").path("id").asText()).isEqualTo(tokenId(session));
        assertThat(publish.path("actor").path("token").path("name").asText()).isEqualTo("npm login");
        assertThat(publish.path("actor").path("token").has("bypass2fa")).isFalse();

        // a wrong code, a replayed code, then throttling
        fails(alice.run(tmp, "dist-tag", "add", "audited@1.0.0", "beta", "--otp=000000"));
        JsonNode wrongCode = last("tfa.failure", "failure");
        fromNpm(wrongCode);
        assertThat(wrongCode.path("detail").path("reason").asText()).isEqualTo("wrong code");
        ok(alice.run(tmp, "dist-tag", "add", "audited@1.0.0", "beta", "--otp=" + code(app)));
        JsonNode tag = last("dist-tag.set", "success");
        assertThat(tag.path("factor").asText()).isEqualTo("totp");
        assertThat(tag.path("detail").path("tag").asText()).isEqualTo("beta");
        fails(alice.run(tmp, "dist-tag", "rm", "audited", "beta", "--otp=" + app.now()));
        fromNpm(last("tfa.replay", "failure"));
        for (int i = 0; i < 5; i++) {
            registry.http.send("PUT", "-/package/audited/dist-tags/x", session, "\"1.0.0\"", "npm-otp", "111111");
        }
        JsonNode throttled = last("tfa.throttled", "failure");
        assertThat(throttled.path("detail").path("reason").asText()).isEqualTo("throttled");
        registry.clock.advance(java.time.Duration.ofMinutes(16));

        // a token that bypasses 2FA: created with the password and a code, it stages; its events say so
        Cli.Result made = ok(alice.run(
                tmp,
                "token",
                "create",
                "--password=alice-password",
                "--otp=" + code(app),
                "--bypass-2fa",
                "--name=ci"));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(made.stdout());
        assertThat(m.find()).isTrue();
        String bypass = m.group(1);
        secrets.add(bypass);
        JsonNode tokenCreated = last("token.create", "success");
        fromNpm(tokenCreated);
        assertThat(tokenCreated.path("target").asText()).isEqualTo("token:" + tokenId(bypass));
        assertThat(tokenCreated.path("detail").path("bypass2fa").asBoolean()).isTrue();
        assertThat(tokenCreated.path("factor").asText()).isEqualTo("totp");
        Npm ci = Npm.withToken(tmp.resolve("ci"), registry.url(), bypass);
        String id = stageId(ok(ci.run(pkg("audited", "1.1.0"), "stage", "publish")));
        JsonNode staged = last("stage.create", "success");
        fromNpm(staged);
        assertThat(staged.path("actor").path("token").path("id").asText()).isEqualTo(tokenId(bypass));
        assertThat(staged.path("actor").path("token").path("name").asText()).isEqualTo("ci");
        assertThat(staged.path("actor").path("token").path("bypass2fa").asBoolean())
                .isTrue();
        assertThat(staged.has("factor")).isFalse();
        assertThat(staged.path("detail").path("integrity").asText()).startsWith("sha512-");

        // the bypass token tries a direct publish: refused by policy, recorded as a failure
        fails(ci.run(pkg("audited", "1.0.1"), "publish"));
        JsonNode refused = last("package.publish", "failure");
        assertThat(refused.path("actor").path("token").path("bypass2fa").asBoolean())
                .isTrue();
        assertThat(refused.path("detail").path("reason").asText()).isNotEmpty();
        assertThat(refused.path("detail").path("integrity").asText()).startsWith("sha512-");

        // automation cannot approve (a failure), a person with a code can (the approval and the publish it makes)
        fails(ci.run(tmp, "stage", "approve", id));
        assertThat(last("stage.approve", "failure").path("detail").path("stage").asText())
                .isEqualTo(id);
        ok(alice.run(tmp, "stage", "approve", id, "--otp=" + code(app)));
        JsonNode approve = last("stage.approve", "success");
        fromNpm(approve);
        assertThat(approve.path("factor").asText()).isEqualTo("totp");
        assertThat(approve.path("detail").path("integrity").asText())
                .isEqualTo(staged.path("detail").path("integrity").asText());
        JsonNode released = last("package.publish", "success");
        assertThat(released.path("detail").path("method").asText()).isEqualTo("staged");
        assertThat(released.path("detail").path("integrity").asText())
                .isEqualTo(staged.path("detail").path("integrity").asText());

        // the operator raises the approvals needed (old and new value); a self-approval is refused; a reject
        assertThat(AirlockCommand.run(
                        "",
                        "policy",
                        "set",
                        "--package",
                        "audited",
                        "--approvals",
                        "2",
                        "--data",
                        registry.dataDir.toString()))
                .startsWith("exit=0");
        JsonNode policy = last("policy.set", "success");
        assertThat(policy.path("actor").path("credential").asText()).isEqualTo("cli");
        assertThat(policy.path("detail").path("old").path("approvals").isNull()).isTrue();
        assertThat(policy.path("detail").path("new").path("approvals").asInt()).isEqualTo(2);
        String second = stageId(ok(ci.run(pkg("audited", "1.2.0"), "stage", "publish")));
        fails(alice.run(tmp, "stage", "approve", second, "--otp=" + code(app)));
        assertThat(last("stage.approve", "failure")
                        .path("detail")
                        .path("reason")
                        .asText())
                .contains("two-person rule");
        ok(alice.run(tmp, "stage", "reject", second, "--otp=" + code(app)));
        JsonNode reject = last("stage.reject", "success");
        assertThat(reject.path("factor").asText()).isEqualTo("totp");
        assertThat(reject.path("detail").path("version").asText()).isEqualTo("1.2.0");

        // the bypass token used from an address not seen before for it: one event, however often
        for (int i = 0; i < 3; i++) {
            Http.Response who = registry.http.send(
                    "GET", "-/whoami", bypass, null, "X-Forwarded-For", "203.0.113.9", "User-Agent", "curl/8.0");
            assertThat(who.status()).isEqualTo(200);
        }
        assertThat(count("token.use-new-address", "success")).isEqualTo(1);
        JsonNode moved = last("token.use-new-address", "success");
        assertThat(moved.path("source").path("ip").asText()).isEqualTo("203.0.113.9");
        assertThat(moved.path("source").path("userAgent").asText()).isEqualTo("curl/8.0");
        assertThat(moved.path("target").asText()).isEqualTo("token:" + tokenId(bypass));

        // trusted publishing: the relationship, an exchange denied with its reason, one allowed with the CI identity
        ok(alice.run(
                tmp,
                "trust",
                "github",
                "audited",
                "--yes",
                "--otp=" + code(app),
                "--file=publish.yml",
                "--repository=alice/audited",
                "--allow-stage-publish"));
        JsonNode trust = last("trust.create", "success");
        fromNpm(trust);
        assertThat(trust.path("factor").asText()).isEqualTo("totp");
        Http.Response denied = registry.http.send(
                "POST",
                "-/npm/v1/oidc/token/exchange/package/audited",
                "not-a-jwt",
                "{}",
                "User-Agent",
                "npm/11.19.1 node/v22 linux x64 workspaces/false ci/github-actions");
        assertThat(denied.status()).isEqualTo(401);
        JsonNode deniedEvent = last("oidc.exchange", "failure");
        assertThat(deniedEvent.path("detail").path("reason").asText()).isNotEmpty();
        assertThat(deniedEvent.path("source").path("userAgent").asText()).contains("ci/github-actions");
        Map<String, Object> claims = new HashMap<>();
        claims.put("repository", "alice/audited");
        claims.put("repository_owner", "alice");
        claims.put("repository_owner_id", "1001");
        claims.put("workflow_ref", "alice/audited/.github/workflows/publish.yml@refs/heads/main");
        claims.put("ref", "refs/heads/main");
        claims.put("sha", "0123456789abcdef0123456789abcdef01234567");
        claims.put("run_id", "4242");
        issuer.pipelineClaims = claims;
        Npm pipeline = new Npm(tmp.resolve("pipeline"), registry.url());
        ok(pipeline.runWithEnv(
                pkg("audited", "1.3.0"),
                Map.of(
                        "GITHUB_ACTIONS",
                        "true",
                        "CI",
                        "true",
                        "ACTIONS_ID_TOKEN_REQUEST_URL",
                        issuer.requestUrl(),
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                        TestOidcIssuer.REQUEST_TOKEN),
                List.of(),
                "stage",
                "publish",
                "--provenance=false"));
        JsonNode exchange = last("oidc.exchange", "success");
        fromNpm(exchange);
        assertThat(exchange.path("actor").path("ci").path("repository").asText())
                .isEqualTo("alice/audited");
        JsonNode ciStage = last("stage.create", "success");
        JsonNode identity = ciStage.path("actor").path("ci");
        assertThat(ciStage.path("actor").path("credential").asText()).isEqualTo("oidc");
        assertThat(identity.path("issuer").asText()).isEqualTo(issuer.issuer());
        assertThat(identity.path("repository").asText()).isEqualTo("alice/audited");
        assertThat(identity.path("workflow").asText()).contains("publish.yml");
        assertThat(identity.path("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(identity.path("sha").asText()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(identity.path("runId").asText()).isEqualTo("4242");
        assertThat(ciStage.path("actor").path("token").path("id").asText()).hasSize(16);

        // console sign-in from a browser: a wrong password, then the password and a code
        assertThat(form("-/console/login", "username=alice&password=guess&next=%2F"))
                .isEqualTo(401);
        secrets.add("guess");
        JsonNode consoleWrong = last("console.sign-in", "failure");
        assertThat(consoleWrong.path("source").path("userAgent").asText()).isEqualTo(BROWSER);
        assertThat(form("-/console/login", "username=alice&password=alice-password&otp=" + code(app) + "&next=%2F"))
                .isEqualTo(302);
        JsonNode signIn = last("console.sign-in", "success");
        assertThat(signIn.path("source").path("userAgent").asText()).isEqualTo(BROWSER);
        assertThat(signIn.path("factor").asText()).isEqualTo("totp");

        // tokens revoked: one with npm, all of a kind by the operator
        ok(alice.run(tmp, "token", "revoke", TokenService.keyOf(bypass).substring(0, 12), "--otp=" + code(app)));
        JsonNode revoked = last("token.revoke", "success");
        fromNpm(revoked);
        assertThat(revoked.path("target").asText()).isEqualTo("token:" + tokenId(bypass));

        // 2FA disabled with a recovery code
        // (the recovery codes were shown once at enrolment; the test reads none, so it disables with a code)
        ok(alice.run(
                tmp, Cli.answers("npm password:", "alice-password"), "profile", "disable-2fa", "--otp=" + code(app)));
        JsonNode disabled = last("tfa.disable", "success");
        fromNpm(disabled);
        assertThat(disabled.path("factor").asText()).isEqualTo("totp");

        // the alert rules over this whole run: the pipeline's first stage was by a CI identity never seen for the
        // package (alice had published it herself), and the bypass token was a weakened policy
        registry.airlock.alerts.evaluate();
        assertThat(registry.airlock.alerts.list(false))
                .filteredOn(a -> a.rule().equals("newPublisher") && a.target().equals("package:audited"))
                .extracting(dev.airlock.alerts.Alert::caseKey)
                .anySatisfy(k -> assertThat(k)
                        .startsWith("audited ci " + issuer.issuer() + " alice/audited workflow ")
                        .contains("publish.yml"));
        assertThat(registry.airlock.alerts.list(false))
                .filteredOn(a -> a.rule().equals("policyWeakened"))
                .isNotEmpty();

        // no entry of the whole run (the alerts' own included) holds a password, a token, a TOTP secret or a code
        List<AuditEvent> all = registry.airlock.audit.all();
        assertThat(all).hasSizeGreaterThan(30);
        for (AuditEvent e : all) {
            for (String s : secrets) {
                assertThat(Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(s) + "(?![0-9A-Za-z])")
                                .matcher(e.entry())
                                .find())
                        .as("%s in %s", s, e.entry())
                        .isFalse();
            }
            assertThat(e.entry()).doesNotContain("npm_");
        }
    }
}
