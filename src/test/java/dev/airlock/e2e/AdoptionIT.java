package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.orgs.OrgRole;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.SoftwareKey;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The adoption report of a fixture org — members without 2FA, with TOTP only and with a security key; packages with
 * and without staging; a bypass token used once; a trusted publisher; a direct publish and an approved stage — from
 * the command line (JSON and human) and the console (real Chromium), and the org-wide "require 2FA and staging"
 * action: its preview, its effect, its audit event.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdoptionIT {
    static TestRegistry registry;
    static TestOidcIssuer issuer;
    static String aliceSession;
    static Authenticator alice;
    static Npm aliceNpm;
    static String bypassId;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        registry = TestRegistry.start(issuer.config("github"), clock);
        aliceSession = registry.userWithToken("alice"); // owner, TOTP only
        alice = registry.enableTwoFactor("alice", aliceSession, "auth-and-writes");
        registry.addUser("bob", "bob-password"); // member without 2FA
        registry.addUser("dave", "dave-password"); // member with a security key
        registry.addUser("carol", "carol-password"); // in no org
        registry.createOrg("acme", "alice");
        Actor owner = new Actor("alice", "session", null, "127.0.0.1");
        registry.airlock.orgs.setMember(owner, "acme", "bob", OrgRole.DEVELOPER);
        registry.airlock.orgs.setMember(owner, "acme", "dave", OrgRole.ADMIN);
        SoftwareKey key = new SoftwareKey();
        registry.airlock.db.write(tx -> tx.handle()
                .execute(
                        "INSERT INTO security_keys (credential_id, user_name, user_handle, public_key_cose,"
                                + " signature_count, nickname, created_at) VALUES (?, 'dave', ?, ?, 0, 'key', ?)",
                        key.credentialId(),
                        key.userHandle(),
                        key.publicKeyCose(),
                        clock.millis()));
        aliceNpm = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceSession);
        // an approved stage: @acme/staged's first version, then the package requires staging
        Matcher staged = Pattern.compile("staged with id ([0-9a-f-]{36})")
                .matcher(ok(aliceNpm.run(pkg("@acme/staged", "1.0.0"), "stage", "publish"))
                        .stdout());
        assertThat(staged.find()).isTrue();
        ok(aliceNpm.run(tmp, "stage", "approve", staged.group(1), "--otp=" + alice.next()));
        Http.Response set = registry.http.send(
                "PUT",
                "-/airlock/v1/policy/package/@acme%2fstaged",
                aliceSession,
                "{\"stagingRequired\":true}",
                "npm-otp",
                alice.next());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        // two direct publishes
        ok(aliceNpm.run(pkg("@acme/open", "1.0.0"), "publish", "--otp=" + alice.next()));
        ok(aliceNpm.run(pkg("@acme/lib", "1.0.0"), "publish", "--otp=" + alice.next()));
        // a trusted publisher for @acme/lib
        ok(aliceNpm.run(
                tmp,
                "trust",
                "github",
                "@acme/lib",
                "--yes",
                "--otp=" + alice.next(),
                "--file=release.yml",
                "--repository=acme/lib",
                "--allow-stage-publish"));
        // a bypass token, used once (to stage)
        Cli.Result created = ok(aliceNpm.run(
                tmp,
                "token",
                "create",
                "--password=alice-password",
                "--bypass-2fa",
                "--name=deploy",
                "--otp=" + alice.next()));
        Matcher t = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(created.stdout());
        assertThat(t.find()).isTrue();
        ok(Npm.withToken(tmp.resolve("ci"), registry.url(), t.group(1))
                .run(pkg("@acme/lib", "1.1.0"), "stage", "publish"));
        bypassId = Actor.tokenId(
                dev.airlock.platform.crypto.Hashes.hex(dev.airlock.platform.crypto.Hashes.digest("SHA-256")
                        .digest(t.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        // outside every org: carol's unscoped package, published directly
        String carol = registry.login("carol", "carol-password");
        ok(Npm.withToken(tmp.resolve("carol"), registry.url(), carol).run(pkg("carols", "1.0.0"), "publish"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
        issuer.close();
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name.replace("/", "_") + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    static String cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(registry.dataDir.toString());
        String out = AirlockCommand.run("", all.toArray(String[]::new));
        assertThat(out).startsWith("exit=0");
        return out.substring(out.indexOf('\n') + 1);
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    @Order(1)
    void theJsonReportMatchesTheFixtureExactly() {
        JsonNode r = Json.parse(cli("report", "adoption", "--org", "acme", "--json"));
        assertThat(r.path("org").asText()).isEqualTo("acme");
        Map<String, String> factors = new HashMap<>();
        r.path("members")
                .forEach(m ->
                        factors.put(m.path("name").asText(), m.path("twoFactor").asText()));
        assertThat(factors).isEqualTo(Map.of("alice", "totp-only", "bob", "none", "dave", "security-key"));
        assertThat(texts(r.path("members"), "role")).containsExactly("owner", "developer", "admin");
        assertThat(texts(r.path("packages"), "name")).containsExactly("@acme/lib", "@acme/open", "@acme/staged");
        Map<String, String> staging = new HashMap<>();
        r.path("packages")
                .forEach(p -> staging.put(
                        p.path("name").asText(),
                        p.path("stagingRequired").asBoolean() + "/"
                                + p.path("stagingSetBy").asText()));
        assertThat(staging)
                .isEqualTo(Map.of(
                        "@acme/lib", "false/default", "@acme/open", "false/default", "@acme/staged", "true/package"));
        JsonNode lib = r.path("packages").get(0);
        assertThat(lib.path("trustedPublisher").path("type").asText()).isEqualTo("github");
        assertThat(lib.path("trustedPublisher").path("claims").toString()).contains("acme/lib");
        assertThat(lib.path("trustedPublisher").path("allows")).hasSize(1);
        assertThat(lib.path("trustedPublisher").path("allows").get(0).asText()).isEqualTo("stage");
        assertThat(r.path("packages").get(1).path("trustedPublisher").isNull()).isTrue();

        assertThat(r.path("bypassTokens")).hasSize(1);
        JsonNode token = r.path("bypassTokens").get(0);
        assertThat(token.path("user").asText()).isEqualTo("alice");
        assertThat(token.path("name").asText()).isEqualTo("deploy");
        assertThat(token.path("id").asText()).isEqualTo(bypassId);
        assertThat(token.path("lastUsed").isNull()).as("used once").isFalse();
        assertThat(token.path("lastUsedFrom").asText()).isNotEmpty();

        List<String> releases = new ArrayList<>();
        r.path("unapprovedReleases")
                .forEach(v -> releases.add(v.path("package").asText() + "@"
                        + v.path("version").asText() + " "
                        + v.path("publishedBy").asText() + " " + v.path("via").asText()));
        // the approved stage (@acme/staged@1.0.0) and the pending one (@acme/lib@1.1.0) are not listed
        assertThat(releases).containsExactly("@acme/open@1.0.0 alice user", "@acme/lib@1.0.0 alice user");
        assertThat(r.path("summary").toString())
                .isEqualTo("{\"members\":3,\"membersWithout2fa\":1,\"membersTotpOnly\":1,\"membersWithSecurityKey\":1,"
                        + "\"packages\":3,\"packagesWithoutStaging\":2,\"bypassTokens\":1,\"trustedPublishers\":1,"
                        + "\"unapprovedReleases\":2}");
    }

    @Test
    @Order(2)
    void withoutAnOrgEveryOrgAndTheUsersOutsideThem() {
        JsonNode all = Json.parse(cli("report", "adoption", "--json"));
        assertThat(all).hasSize(2);
        assertThat(all.get(0).path("org").asText()).isEqualTo("acme");
        JsonNode outside = all.get(1);
        assertThat(outside.path("org").isNull()).isTrue();
        assertThat(texts(outside.path("members"), "name")).containsExactly("carol");
        assertThat(texts(outside.path("packages"), "name")).containsExactly("carols");
        assertThat(texts(outside.path("unapprovedReleases"), "version")).containsExactly("1.0.0");

        String human = cli("report", "adoption", "--org", "acme");
        assertThat(human)
                .contains("Org acme")
                .contains("Members (3): 1 without 2FA, 1 with TOTP only, 1 with a security key")
                .containsPattern("bob +developer +NO 2FA")
                .containsPattern("dave +admin +1 security key\\(s\\)")
                .containsPattern("@acme/open +STAGING NOT REQUIRED \\(default\\)")
                .containsPattern("@acme/staged +staging required \\(package\\)")
                .contains("trusted publisher: github")
                .containsPattern("alice +deploy +" + bypassId + " +read-write +last used 20")
                .contains("@acme/open@1.0.0")
                .doesNotContain("@acme/staged@1.0.0");
    }

    static void signIn(String user) {
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user + "-password");
        if (user.equals("alice")) {
            browser.findElement(By.id("otp")).sendKeys(alice.next());
        }
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains(user);
    }

    @Test
    @Order(3)
    void theConsolePageShowsTheSameReportToOwnersOnly() {
        browser = Browser.start(tmp.resolve("chromium"));
        signIn("bob");
        browser.get(registry.consoleUrl() + "-/console/org/acme/adoption");
        assertThat(browser.findElements(By.id("members"))).isEmpty();
        assertThat(browser.getPageSource()).contains("not found");

        signIn("alice");
        browser.get(registry.consoleUrl() + "-/console/org/acme/adoption");
        assertThat(browser.findElement(By.id("summary")).getText())
                .contains("3 members: 1 without 2FA, 1 with TOTP only, 1 with a security key")
                .contains("3 packages: 2 without staging required, 1 with a trusted publisher")
                .contains("1 tokens that bypass 2FA")
                .contains("2 releases in the last 30 days published without approval");
        assertThat(factor("bob")).isEqualTo("none");
        assertThat(factor("alice")).isEqualTo("TOTP only");
        assertThat(factor("dave")).isEqualTo("1 security key(s)");
        assertThat(browser.findElement(By.cssSelector("tr[data-package='@acme/lib'] .trust"))
                        .getText())
                .contains("github")
                .contains("acme/lib");
        assertThat(browser.findElement(By.cssSelector("tr[data-token='" + bypassId + "'] .last-used"))
                        .getText())
                .startsWith("20");
        assertThat(browser.findElements(By.cssSelector("#unapproved tbody tr"))).hasSize(2);
        assertThat(browser.findElement(By.id("blocked")).getText()).isEqualTo("bob");
        assertThat(browser.findElement(By.id("gaining")).getText())
                .contains("@acme/lib")
                .contains("@acme/open")
                .doesNotContain("@acme/staged");
        Browser.screenshot(browser, "adoption");
    }

    static String factor(String user) {
        return browser.findElement(By.cssSelector("tr[data-user='" + user + "'] .factor"))
                .getText();
    }

    @Test
    @Order(4)
    void theOrgWideActionNeedsAFreshCodeThenRequiresTwoFactorAndStaging() {
        browser.get(registry.consoleUrl() + "-/console/org/acme/adoption");
        browser.findElement(By.id("org-wide-otp")).sendKeys("000000");
        browser.findElement(By.id("require-org-wide")).click();
        assertThat(browser.findElement(By.className("error")).getText()).contains("one-time password");
        assertThat(orgPolicy().path("require2fa").isNull()).isTrue();

        browser.get(registry.consoleUrl() + "-/console/org/acme/adoption");
        browser.findElement(By.id("org-wide-otp")).sendKeys(alice.next());
        browser.findElement(By.id("require-org-wide")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("now required org-wide");
        assertThat(browser.findElement(By.id("org-wide-in-place")).isDisplayed())
                .isTrue();
        Browser.screenshot(browser, "adoption-after");
        JsonNode own = orgPolicy();
        assertThat(own.path("require2fa").asBoolean()).isTrue();
        assertThat(own.path("stagingRequired").asBoolean()).isTrue();
        assertThat(own.path("approvals").isNull()).as("other fields untouched").isTrue();

        JsonNode r = Json.parse(cli("report", "adoption", "--org", "acme", "--json"));
        assertThat(r.path("summary").path("packagesWithoutStaging").asInt()).isZero();
        // audited as any org policy change
        String audit = cli("audit", "query", "--action", "policy.set", "--json");
        assertThat(audit).contains("org:acme").contains("\"require2fa\":true");
        // the effect: a direct publish of an org package is now refused; the member without 2FA cannot stage
        Cli.Result direct = aliceNpm.run(pkg("@acme/open", "1.1.0"), "publish", "--otp=" + alice.next());
        assertThat(direct.exit()).isNotZero();
        assertThat(direct.all()).contains("requires staged publishing");
        Http.Response bobStage =
                registry.http.get("-/airlock/v1/package/@acme%2fnew/policy", registry.login("bob", "bob-password"));
        assertThat(bobStage.status()).isEqualTo(200);
        assertThat(bobStage.json().path("caller").path("publish").asText()).isEqualTo("none");
        assertThat(bobStage.json().path("caller").path("reason").asText()).contains("requires two-factor");
    }

    @Test
    @Order(5)
    void adminsReadTheReportButCannotChangeTheOrgPolicy() {
        Actor dave = new Actor("dave", "session", null, "127.0.0.1");
        assertThat(registry.airlock.adoption.report(dave, "acme").members()).hasSize(3);
        assertThat(registry.airlock.adoption.isOwner(dave, "acme")).isFalse();
        // dave's key is asked for first (every write of a user with a key needs a fresh factor) …
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> registry.airlock.adoption.requireTwoFactorAndStaging(dave, "acme"))
                .isInstanceOf(dev.airlock.shared.AirlockException.class);
        // … and a member without a second factor meets the owner rule
        Actor bob = new Actor("bob", "session", null, "127.0.0.1");
        assertThat(registry.airlock.adoption.isOwner(bob, "acme")).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> registry.airlock.adoption.requireTwoFactorAndStaging(bob, "acme"))
                .hasMessageContaining("Only an owner");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        registry.airlock.adoption.report(new Actor("carol", "session", null, "127.0.0.1"), "acme"))
                .hasMessageContaining("not found");
    }

    static JsonNode orgPolicy() {
        Http.Response r = registry.http.get("-/airlock/v1/policy/org/acme", aliceSession);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("own");
    }
}
