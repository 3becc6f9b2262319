package dev.airlock.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTParser;
import dev.airlock.platform.config.OidcConfig;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.shared.Actor;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Cli;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOpenIdProvider;
import dev.airlock.testing.TestOpenIdProvider.Agent;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Single sign-on against a real, certified OpenID provider (oidc-provider, run by the test): the console's "Sign in
 * with" button, npm's web login through the provider with the real npm CLI, accounts made just in time and linked
 * to the subject, no take-over of a local account of the same name, and the attacks: a wrong or replayed state, a
 * callback in another browser, an ID token for another client, with another nonce, a tampered signature, an expired
 * token, an issuer that is not the configured one, an unknown provider.
 */
class SsoIT {
    static final String SECRET = "airlock-client-secret";
    static final String OTHER_REDIRECT = "http://localhost:9/other/callback";
    static TestOpenIdProvider idp;
    static TestRegistry registry;
    static String callback;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        int port = TestOpenIdProvider.reservePort();
        String issuer = TestOpenIdProvider.issuerFor(port);
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "auth.oidc.corp.issuer",
                issuer,
                "auth.oidc.corp.clientId",
                "airlock",
                "auth.oidc.corp.clientSecret",
                SECRET,
                "auth.oidc.corp.displayName",
                "Corp SSO",
                // the same provider under an address that is not its issuer: discovery names another issuer
                "auth.oidc.imposter.issuer",
                "http://127.0.0.1:" + port,
                "auth.oidc.imposter.clientId",
                "airlock",
                "auth.oidc.imposter.clientSecret",
                SECRET));
        // the group mapping: the provider's groups claim, applied at every sign-in
        settings.put("auth.groups.1.group", "eng");
        settings.put("auth.groups.1.org", "mapped");
        settings.put("auth.groups.1.role", "developer");
        settings.put("auth.groups.2.group", "release");
        settings.put("auth.groups.2.org", "mapped");
        settings.put("auth.groups.2.team", "release");
        registry = TestRegistry.start(settings);
        callback = registry.consoleUrl() + "-/console/sso/callback";
        idp = new TestOpenIdProvider(
                port,
                List.of(
                        new TestOpenIdProvider.Client("airlock", SECRET, List.of(callback)),
                        new TestOpenIdProvider.Client("other", "other-secret", List.of(OTHER_REDIRECT))),
                Map.of(
                        "alice-sub", claims("alice", "eng", "release"),
                        "bob-sub", claims("bob"),
                        "carol-sub", claims("carol", "eng"),
                        "dora-sub", claims("dora"),
                        "erin-sub", claims("erin"),
                        "hana-sub", claims("hana"),
                        "ivy-sub", claims("ivy", "eng", "release"),
                        "grace-sub", claims("Grace@corp.example")));
    }

    static Map<String, Object> claims(String name, String... groups) {
        return Map.of("preferred_username", name, "email", name + "@corp.example", "groups", List.of(groups));
    }

    @AfterAll
    static void stop() {
        TestOpenIdProvider.stop(registry, idp);
    }

    /** Starts a sign-in at the console and signs in at the provider; the callback URL the provider sends back. */
    static String throughProvider(Agent agent, String provider, String next, String subject) {
        HttpResponse<String> start = agent.get(registry.consoleUrl() + "-/console/sso/" + provider + "/start?next="
                + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
        String authorize = Agent.location(start);
        assertThat(authorize)
                .startsWith(idp.issuer() + "/auth?")
                .contains("code_challenge_method=S256")
                .contains("nonce=")
                .contains("state=");
        String back = agent.signInAt(authorize, subject, idp.issuer());
        assertThat(back).startsWith(callback + "?");
        return back;
    }

    @Test
    void consoleSignInCreatesTheAccountJustInTimeAndLinksItToTheSubject() {
        assertThat(registry.airlock.users.find("alice")).isNull();
        HttpResponse<String> loginPage = new Agent().get(registry.consoleUrl() + "-/console/login");
        assertThat(loginPage.body()).contains("Sign in with Corp SSO").contains("id=\"sign-in\"");

        Agent agent = new Agent();
        String back = throughProvider(agent, "corp", "/-/console/account", "alice-sub");
        HttpResponse<String> done = agent.get(back);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(done.body()).contains("signed in as alice").contains("url=/-/console/account");
        HttpResponse<String> home = agent.get(registry.consoleUrl() + "-/console/");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("alice").doesNotContain("id=\"password\"");
        assertThat(registry.airlock.users.find("alice").email()).isEqualTo("alice@corp.example");
        assertThat(registry.airlock.sso.linked("alice")).isTrue();

        // the same subject again: the same account (no second one, no refusal)
        Agent again = new Agent();
        assertThat(again.get(throughProvider(again, "corp", "/-/console/", "alice-sub"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(registry.airlock.users.list().stream()
                        .filter(u -> u.name().equals("alice"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aCallbackIsUsedOnceAndOnlyInTheBrowserThatStartedIt() {
        Agent agent = new Agent();
        String back = throughProvider(agent, "corp", "/-/console/", "dora-sub");
        // another browser (an attacker forwarding their own callback to a victim, or the reverse) is refused
        HttpResponse<String> elsewhere = new Agent().get(back);
        assertThat(elsewhere.statusCode()).isEqualTo(401);
        assertThat(elsewhere.body()).contains("started in another browser");
        // the flow was used up by that attempt: the right browser cannot use it any more either
        HttpResponse<String> replay = agent.get(back);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("expired or was already used");

        Agent second = new Agent();
        String ok = throughProvider(second, "corp", "/-/console/", "dora-sub");
        assertThat(second.get(ok).statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = second.get(ok);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("expired or was already used");
    }

    @Test
    void aWrongStateIsRefusedAndSignsNobodyIn() {
        Agent agent = new Agent();
        String back = throughProvider(agent, "corp", "/-/console/", "erin-sub");
        Matcher m = Pattern.compile("state=([A-Za-z0-9]{43})").matcher(back);
        assertThat(m.find()).isTrue();
        String forged = back.replace(m.group(1), "A".repeat(43));
        HttpResponse<String> r = agent.get(forged);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("expired or was already used");
        assertThat(agent.get(back.replace("state=", "state=x")).statusCode()).isEqualTo(401);
        assertThat(registry.airlock.users.find("erin")).isNull();
        // the real state still works: the forgeries did not consume it
        assertThat(agent.get(back).statusCode()).isEqualTo(200);
        assertThat(registry.airlock.users.find("erin")).isNotNull();
    }

    @Test
    void aLocalAccountWithTheSameNameIsNeverTakenOver() {
        registry.addUser("bob", "bob-password");
        Agent agent = new Agent();
        HttpResponse<String> r = agent.get(throughProvider(agent, "corp", "/-/console/", "bob-sub"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body())
                .contains("The account \"bob\" already exists")
                .contains("never joins accounts by name or e-mail");
        assertThat(agent.get(registry.consoleUrl() + "-/console/").statusCode()).isEqualTo(302);
        assertThat(registry.airlock.sso.linked("bob")).isFalse();
        assertThat(registry.airlock.users.checkPassword("bob", "bob-password", "127.0.0.1"))
                .isTrue();
    }

    @Test
    void anAccountTheProviderPushedIsClaimedByItsFirstSignInAndADeactivatedOneIsRefused() {
        // SCIM made "hana" (no password, no identity yet): her first sign-in takes it, her next ones find it linked
        registry.airlock.db.write(tx -> registry.airlock.users.addExternal(tx, Actor.operator(), "hana", "", "scim"));
        Agent agent = new Agent();
        HttpResponse<String> first = agent.get(throughProvider(agent, "corp", "/-/console/", "hana-sub"));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(registry.airlock.sso.linked("hana")).isTrue();

        // deprovisioned in the registry (CLI or SCIM): the provider still signs her in, the registry refuses
        registry.airlock.deprovisioning.deactivate(Actor.operator(), "hana");
        Agent later = new Agent();
        HttpResponse<String> refused = later.get(throughProvider(later, "corp", "/-/console/", "hana-sub"));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("The account \"hana\" is deactivated");
        assertThat(later.get(registry.consoleUrl() + "-/console/").statusCode()).isEqualTo(302);
    }

    @Test
    void aUserNameThatIsNotAnNpmNameMakesNoAccount() {
        Agent agent = new Agent();
        HttpResponse<String> r = agent.get(throughProvider(agent, "corp", "/-/console/", "grace-sub"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("is not a valid npm user name").contains("auth.oidc.corp.usernameClaim");
        assertThat(registry.airlock.users.list().stream().map(u -> u.name())).noneMatch(n -> n.startsWith("grace"));
    }

    @Test
    void unknownProvidersAndIssuersAreRefused() {
        HttpResponse<String> unknown = new Agent().get(registry.consoleUrl() + "-/console/sso/nope/start");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no identity provider named");
        // discovery at the imposter's address answers with another issuer: no sign-in starts
        HttpResponse<String> imposter = new Agent().get(registry.consoleUrl() + "-/console/sso/imposter/start");
        assertThat(imposter.statusCode()).isEqualTo(502);
        assertThat(imposter.body()).contains("cannot be reached");
    }

    @Test
    void npmWebLoginGoesThroughTheProviderAndLegacyLoginSaysToUseIt() {
        Npm npm = new Npm(tmp.resolve("carol-home"), registry.url());
        Cli.Result login = npm.run(
                tmp,
                List.of(new Cli.Answer("Login at:", out -> {
                    Matcher m = Pattern.compile("(http://\\S+/-/console/web-login/([A-Za-z0-9]+))")
                            .matcher(out);
                    assertThat(m.find()).as(out).isTrue();
                    Agent agent = new Agent();
                    String page = registry.consoleUrl() + "-/console/web-login/" + m.group(2);
                    assertThat(agent.get(page).body()).contains("Sign in with Corp SSO");
                    HttpResponse<String> done = agent.get(
                            throughProvider(agent, "corp", "/-/console/web-login/" + m.group(2), "carol-sub"));
                    assertThat(done.body()).contains("url=/-/console/web-login/" + m.group(2));
                    HttpResponse<String> signedIn = agent.get(page);
                    assertThat(signedIn.body()).contains("Log npm in as <strong>carol</strong>");
                    Matcher csrf =
                            Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(signedIn.body());
                    assertThat(csrf.find()).isTrue();
                    HttpResponse<String> cont =
                            agent.post(page + "/continue", Map.of("csrf", csrf.group(1), "otp", ""));
                    assertThat(cont.statusCode()).as(cont.body()).isEqualTo(200);
                    return "";
                })),
                "login");
        assertThat(login.exit()).as(login.stdout() + login.stderr()).isZero();
        assertThat(login.stdout()).contains("Logged in on " + registry.url());
        Cli.Result whoami = npm.run(tmp, "whoami");
        assertThat(whoami.stdout().trim()).isEqualTo("carol");

        // the account has no password: the legacy login says to use the web login
        Npm legacy = new Npm(tmp.resolve("carol-legacy"), registry.url());
        Cli.Result refused = legacy.run(
                tmp, Cli.answers("Username:", "carol", "Password:", "whatever-pass"), "login", "--auth-type=legacy");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.stdout() + refused.stderr())
                .contains("signs in with single sign-on")
                .contains("run `npm login` (the web login, without --auth-type=legacy)");
    }

    @Test
    void withPasswordSignInOffOnlySingleSignOnSignsIn() {
        try (TestRegistry ssoOnly = TestRegistry.start(Map.of(
                "auth.passwordSignIn",
                "false",
                "auth.oidc.corp.issuer",
                idp.issuer(),
                "auth.oidc.corp.clientId",
                "airlock",
                "auth.oidc.corp.clientSecret",
                SECRET))) {
            ssoOnly.addUser("frank", "frank-password");
            HttpResponse<String> page = new Agent().get(ssoOnly.consoleUrl() + "-/console/login");
            assertThat(page.body()).contains("Sign in with corp").doesNotContain("id=\"password\"");
            HttpResponse<String> posted = new Agent()
                    .post(
                            ssoOnly.consoleUrl() + "-/console/login",
                            Map.of("username", "frank", "password", "frank-password", "next", "/-/console/"));
            assertThat(posted.statusCode()).isEqualTo(401);
            assertThat(posted.body()).contains("Password sign-in is turned off");
            var basic = ssoOnly.http.get(
                    "-/whoami",
                    null,
                    "Authorization",
                    "Basic "
                            + java.util.Base64.getEncoder()
                                    .encodeToString(
                                            "frank:frank-password".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(basic.status()).isEqualTo(401);
            assertThat(basic.error()).contains("Password sign-in is turned off");
            Npm npm = new Npm(tmp.resolve("frank-home"), ssoOnly.url());
            Cli.Result refused = npm.run(
                    tmp,
                    Cli.answers("Username:", "frank", "Password:", "frank-password"),
                    "login",
                    "--auth-type=legacy");
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.stdout() + refused.stderr())
                    .contains("Password sign-in is turned off on this registry")
                    .contains("run `npm login`");
        }
    }

    /**
     * ID tokens the real provider issued to another client ("other"), checked by Airlock's verifier: the positive
     * control passes; another audience, another nonce, a tampered signature and an expired token do not.
     */
    @Test
    void idTokensForAnotherClientWithAnotherNonceTamperedOrExpiredAreRefused() throws Exception {
        MutableClock clock = new MutableClock();
        OidcConfig.Provider otherConfig = provider("other", "other-secret");
        OidcClient other = new OidcClient(otherConfig, clock);
        String nonce = "n".repeat(43);
        String verifier = "v".repeat(64);
        URI authorize = other.authorizationUri(URI.create(OTHER_REDIRECT), "s".repeat(43), nonce, verifier, false);
        String back = new Agent().signInAt(authorize.toString(), "alice-sub", idp.issuer());
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(back);
        assertThat(code.find()).as(back).isTrue();
        String nonceHash = Hashes.sha256Hex(nonce);
        OidcClient.Verified v = other.redeem(URI.create(OTHER_REDIRECT), code.group(1), verifier, nonceHash);
        assertThat(v.idToken().getSubject().getValue()).isEqualTo("alice-sub");
        assertThat(other.verify(v.raw(), nonceHash).getAudience().get(0).getValue())
                .isEqualTo("other");

        OidcClient airlock = new OidcClient(provider("airlock", SECRET), clock);
        assertThatThrownBy(() -> airlock.verify(v.raw(), nonceHash))
                .isInstanceOf(OidcClient.Failure.class)
                .hasMessageContaining("did not verify");
        assertThatThrownBy(() -> other.verify(v.raw(), Hashes.sha256Hex("another nonce")))
                .isInstanceOf(OidcClient.Failure.class)
                .hasMessageContaining("nonce");
        String[] parts = v.raw().serialize().split("\\.");
        char last = parts[2].charAt(10);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A')
                + parts[2].substring(11);
        assertThatThrownBy(() -> other.verify(JWTParser.parse(tampered), nonceHash))
                .isInstanceOf(OidcClient.Failure.class)
                .hasMessageContaining("did not verify");
        clock.advance(Duration.ofHours(2));
        assertThatThrownBy(() -> other.verify(v.raw(), nonceHash))
                .isInstanceOf(OidcClient.Failure.class)
                .hasMessageContaining("expired");
        // the code was for one exchange only
        assertThatThrownBy(() -> other.redeem(URI.create(OTHER_REDIRECT), code.group(1), verifier, nonceHash))
                .isInstanceOf(OidcClient.Failure.class)
                .hasMessageContaining("refused the code");
    }

    static OidcConfig.Provider provider(String clientId, String secret) {
        return new OidcConfig.Provider(
                clientId,
                idp.issuer(),
                clientId,
                secret,
                List.of("openid", "profile", "email"),
                "preferred_username",
                "groups",
                "",
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null);
    }

    @Test
    void chromiumSignsInWithTheProvidersButton() throws InterruptedException {
        ChromeDriver browser = Browser.start(tmp.resolve("chromium"));
        try {
            browser.get(registry.consoleUrl() + "-/console/");
            assertThat(browser.getCurrentUrl()).contains("/-/console/login");
            browser.findElement(By.id("sso-corp")).click();
            // the provider's own sign-in form
            assertThat(browser.getCurrentUrl()).startsWith(idp.issuer() + "/interaction/");
            browser.findElement(By.name("login")).sendKeys("alice-sub");
            browser.findElement(By.name("password")).sendKeys("any");
            Browser.submit(browser.findElement(By.cssSelector("button[type=submit]")));
            // back at the console, signed in: the page after the callback sends the browser on (a navigation of this
            // site, so the Strict session cookie goes with it) to the page it asked for
            String home = registry.consoleUrl() + "-/console/";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!browser.getCurrentUrl().equals(home) && System.nanoTime() < deadline) {
                Thread.sleep(20); // a poll of the condition, not a fixed wait
            }
            assertThat(browser.getCurrentUrl()).isEqualTo(home);
            assertThat(browser.findElement(By.tagName("nav")).getText()).contains("alice");
            assertThat(browser.findElements(By.id("password"))).isEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void theProvidersGroupsBecomeMembershipsAndARemovedGroupIsRemovedAtTheNextSignIn() {
        registry.addUser("mapped-owner", "mapped-owner-password");
        registry.createOrg("mapped", "mapped-owner");
        registry.airlock.orgs.createTeam(Actor.operator(), "mapped", "release", "release managers");
        Agent ivy = new Agent();
        assertThat(ivy.get(throughProvider(ivy, "corp", "/-/console/", "ivy-sub"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(registry.airlock.orgs.members(Actor.operator(), "mapped"))
                .containsEntry("ivy", dev.airlock.orgs.OrgRole.DEVELOPER);
        assertThat(registry.airlock.orgs.teamMembers(Actor.operator(), "mapped", "release"))
                .contains("ivy");

        // the provider's administrator takes ivy out of "release", then out of everything
        idp.setGroups("ivy-sub", "eng");
        Agent again = new Agent();
        assertThat(again.get(throughProvider(again, "corp", "/-/console/", "ivy-sub"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(registry.airlock.orgs.teamMembers(Actor.operator(), "mapped", "release"))
                .doesNotContain("ivy");
        assertThat(registry.airlock.orgs.members(Actor.operator(), "mapped")).containsKey("ivy");
        idp.setGroups("ivy-sub");
        Agent last = new Agent();
        assertThat(last.get(throughProvider(last, "corp", "/-/console/", "ivy-sub"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(registry.airlock.orgs.members(Actor.operator(), "mapped")).doesNotContainKey("ivy");
        assertThat(registry.airlock.audit.forTarget("org:mapped").stream()
                        .filter(e -> "ivy".equals(String.valueOf(e.detail().get("user"))))
                        .map(e -> e.action() + " " + e.detail().get("source")))
                .containsExactly("org.member.set oidc:corp", "org.member.remove oidc:corp");
    }
}
