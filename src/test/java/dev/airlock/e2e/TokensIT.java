package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Granular access tokens and the bypass-2FA rules through the real npm CLI (issue #4, part 1). */
class TokensIT {
    static TestRegistry registry;
    static Npm alice;
    static Authenticator app;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start(Map.of("server.trustedProxies", "127.0.0.1"));
        String token = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", token, "auth-and-writes");
        alice = Npm.withToken(tmp.resolve("alice"), registry.url(), token);
        registry.createOrg("acme", "alice");
        for (String name : new String[] {"alpha", "beta"}) {
            Path d = pkg(name, "1.0.0");
            ok(alice.run(d, "publish", "--otp=" + app.next()));
        }
        ok(alice.run(pkg("@acme/inner", "1.0.0"), "publish", "--access", "restricted", "--otp=" + app.next()));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name.replace("/", "_") + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    /** npm token create with the given flags; the secret is readable only in the human line. */
    static String create(String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "token";
        args[1] = "create";
        args[2] = "--password=alice-password";
        args[3] = "--otp=" + app.next();
        System.arraycopy(flags, 0, args, 4, flags.length);
        Cli.Result r = ok(alice.run(tmp, args));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    static Npm as(String token, String home) {
        return Npm.withToken(tmp.resolve(home), registry.url(), token);
    }

    @Test
    void aTokenReachesOnlyItsPackagesWithItsPermission() {
        Npm onlyAlpha = as(
                create("--name=alpha-only", "--packages=alpha", "--packages-and-scopes-permission=read-write"), "t1");
        ok(onlyAlpha.run(pkg("alpha", "1.1.0"), "publish", "--otp=" + app.next()));
        fails(
                onlyAlpha.run(pkg("beta", "1.1.0"), "publish", "--otp=" + app.next()),
                "This token cannot change \"beta\"");
        fails(
                onlyAlpha.run(pkg("gamma", "1.0.0"), "publish", "--otp=" + app.next()),
                "This token cannot publish gamma");
        // a restricted package outside its selection is invisible
        fails(onlyAlpha.run(tmp, "view", "@acme/inner"), "E404");

        Npm reader = as(create("--scopes=@acme", "--packages-and-scopes-permission=read-only"), "t2");
        ok(reader.run(tmp, "view", "@acme/inner"));
        fails(reader.run(pkg("@acme/inner", "1.1.0"), "publish", "--otp=" + app.next()), "read-only");

        String list = ok(alice.run(tmp, "token", "list", "--json")).stdout();
        JsonNode tokens = Json.parse(list);
        JsonNode named = null;
        for (JsonNode t : tokens) {
            if ("alpha-only".equals(t.path("name").asText())) {
                named = t;
            }
        }
        assertThat(named).isNotNull();
        assertThat(named.path("packages").toString()).contains("alpha");
        assertThat(named.path("packages_and_scopes_permission").asText()).isEqualTo("read-write");
        assertThat(named.path("last_used").isNull()).isFalse();
    }

    @Test
    void orgPermissions() {
        Npm orgReader = as(create("--orgs=acme", "--orgs-permission=read-only"), "t3");
        assertThat(ok(orgReader.run(tmp, "org", "ls", "acme", "--otp=" + app.next()))
                        .stdout())
                .contains("alice - owner");
        registry.addUser("olive", "olive-password");
        fails(
                orgReader.run(tmp, "org", "set", "acme", "olive", "--otp=" + app.next()),
                "This token cannot manage org \"acme\"");
        Npm unrelated = as(create("--packages=alpha", "--packages-and-scopes-permission=read-only"), "t4");
        fails(unrelated.run(tmp, "org", "ls", "acme", "--otp=" + app.next()), "404");
    }

    @Test
    void bypassTokensStageButNeverReleaseOrAdminister() {
        String secret = create("--bypass-2fa", "--name=pipeline");
        Npm pipeline = as(secret, "t5");
        // no code needed to stage, even though alice is in auth-and-writes mode
        Cli.Result staged = ok(pipeline.run(pkg("alpha", "2.0.0"), "stage", "publish"));
        Matcher m = Pattern.compile("staged with id ([0-9a-f-]{36})").matcher(staged.stdout());
        assertThat(m.find()).isTrue();
        fails(pipeline.run(pkg("alpha", "2.0.1"), "publish"), "can only stage");
        fails(pipeline.run(tmp, "stage", "approve", m.group(1), "--otp=" + app.next()), "Only a person can approve");
        fails(pipeline.run(tmp, "stage", "reject", m.group(1), "--otp=" + app.next()), "Only a person can reject");
        fails(pipeline.run(tmp, "token", "create", "--password=alice-password"), "Tokens cannot create tokens");
        fails(pipeline.run(tmp, "owner", "add", "olive", "alpha"), "EOWNERMUTATE");
        fails(pipeline.run(tmp, "access", "set", "mfa=none", "alpha"), "cannot change policies");
        fails(pipeline.run(tmp, "profile", "set", "fullname", "Mallory"), "Tokens cannot change the profile");
        JsonNode listed =
                Json.parse(ok(alice.run(tmp, "token", "list", "--json")).stdout());
        boolean sawBypass = false;
        for (JsonNode t : listed) {
            sawBypass |= "pipeline".equals(t.path("name").asText())
                    && t.path("bypass_2fa").asBoolean();
        }
        assertThat(sawBypass).isTrue();
    }

    @Test
    void bypassTokensPublishOnlyWhereBothPolicyAndOperatorAllow() throws Exception {
        try (TestRegistry open = TestRegistry.start(Map.of("tokens.bypassMayPublish", "true"))) {
            String session = open.userWithToken("bea");
            Authenticator bea = open.enableTwoFactor("bea", session, "auth-and-writes");
            Npm human = Npm.withToken(tmp.resolve("bea"), open.url(), session);
            ok(human.run(pkg("open-pkg", "1.0.0"), "publish", "--otp=" + bea.next()));
            Cli.Result r = ok(human.run(
                    tmp, "token", "create", "--password=bea-password", "--bypass-2fa", "--otp=" + bea.next()));
            Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(r.stdout());
            assertThat(m.find()).isTrue();
            Npm pipeline = Npm.withToken(tmp.resolve("bea-ci"), open.url(), m.group(1));
            ok(pipeline.run(pkg("open-pkg", "1.1.0"), "publish"));
            ok(human.run(tmp, "access", "set", "mfa=automation", "open-pkg", "--otp=" + bea.next()));
            ok(pipeline.run(pkg("open-pkg", "1.2.0"), "publish"));
            ok(human.run(tmp, "access", "set", "mfa=publish", "open-pkg", "--otp=" + bea.next()));
            fails(pipeline.run(pkg("open-pkg", "1.3.0"), "publish"), "mfa=publish");
        }
    }

    @Test
    void expiryAndProxiedCidrChecks() {
        String shortLived = create("--expires=1");
        assertThat(registry.http.get("-/whoami", shortLived).status()).isEqualTo(200);
        registry.clock.advance(Duration.ofDays(2));
        assertThat(registry.http.get("-/whoami", shortLived).status()).isEqualTo(401);

        String fenced = create("--cidr=10.0.0.0/8");
        // behind a trusted proxy (127.0.0.1 here) the client address comes from X-Forwarded-For
        assertThat(registry.http
                        .get("-/whoami", fenced, "X-Forwarded-For", "10.1.2.3")
                        .status())
                .isEqualTo(200);
        assertThat(registry.http
                        .get("-/whoami", fenced, "X-Forwarded-For", "192.168.1.1")
                        .status())
                .isEqualTo(401);
        assertThat(registry.http.get("-/whoami", fenced).status()).isEqualTo(401);
        try (TestRegistry direct = TestRegistry.start()) {
            String t = direct.userWithToken("dora");
            String c = direct.http
                    .post("-/npm/v1/tokens", t, "{\"password\":\"dora-password\",\"cidr_whitelist\":[\"10.0.0.0/8\"]}")
                    .json()
                    .path("token")
                    .asText();
            // without trusted proxies the header is ignored
            assertThat(direct.http
                            .get("-/whoami", c, "X-Forwarded-For", "10.1.2.3")
                            .status())
                    .isEqualTo(401);
        }
    }

    @Test
    void operatorsRevokeEveryBypassTokenAtOnce() {
        String one = create("--bypass-2fa");
        String two = create("--bypass-2fa");
        String normal = create("--packages=alpha");
        String inventory =
                AirlockCommand.run("", "tokens", "list", "--bypass-2fa", "--data", registry.dataDir.toString());
        assertThat(inventory).contains("alice\tgranular\ttrue");
        assertThat(AirlockCommand.run(
                        "",
                        "tokens",
                        "revoke",
                        "--bypass-2fa",
                        "--user",
                        "alice",
                        "--data",
                        registry.dataDir.toString()))
                .contains("would be revoked");
        assertThat(registry.http.get("-/whoami", one).status()).isEqualTo(200);
        assertThat(AirlockCommand.run(
                        "",
                        "tokens",
                        "revoke",
                        "--bypass-2fa",
                        "--user",
                        "alice",
                        "--yes",
                        "--data",
                        registry.dataDir.toString()))
                .containsPattern("Revoked [1-9]\\d* token");
        assertThat(registry.http.get("-/whoami", one).status()).isEqualTo(401);
        assertThat(registry.http.get("-/whoami", two).status()).isEqualTo(401);
        assertThat(registry.http.get("-/whoami", normal).status()).isEqualTo(200);
        assertThat(registry.airlock.audit.all().stream()
                        .filter(e -> e.action().equals("token.revoke")
                                && "alice".equals(e.detail().get("user"))
                                && Boolean.TRUE.equals(e.detail().get("bulk")))
                        .count())
                .isGreaterThanOrEqualTo(2);
    }
}
