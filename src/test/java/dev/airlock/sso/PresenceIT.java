package dev.airlock.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.Policy;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.staging.Approval;
import dev.airlock.staging.StageState;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOpenIdProvider;
import dev.airlock.testing.TestOpenIdProvider.Agent;
import dev.airlock.testing.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
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
 * Issue 18 section 5 against the real oidc-provider: a maintainer who signs in through the identity provider and has
 * no local second factor approves a staged release with a fresh re-authentication there ({@code prompt=login},
 * {@code max_age=0}), accepted only for the configured amr/acr values, recent, by the identity linked to them, once,
 * for that one approval; the "security key required" policy takes only a phishing-resistant one.
 */
class PresenceIT {
    static final String SECRET = "airlock-client-secret";
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    static TestOpenIdProvider idp;
    static TestRegistry registry;
    static String kimToken;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        int port = TestOpenIdProvider.reservePort();
        String issuer = TestOpenIdProvider.issuerFor(port);
        registry = TestRegistry.start(Map.of(
                "auth.oidc.corp.issuer", issuer,
                "auth.oidc.corp.clientId", "airlock",
                "auth.oidc.corp.clientSecret", SECRET,
                "auth.oidc.corp.displayName", "Corp SSO",
                "auth.oidc.corp.presenceAmr", "otp hwk",
                "auth.oidc.corp.presenceAcr", "urn:corp:loa:mfa"));
        String callback = registry.consoleUrl() + "-/console/sso/callback";
        idp = new TestOpenIdProvider(
                port,
                List.of(new TestOpenIdProvider.Client("airlock", SECRET, List.of(callback))),
                Map.of(
                        "alice-sub", Map.of("preferred_username", "alice", "email", "alice@corp.example"),
                        "mallory-sub", Map.of("preferred_username", "mallory", "email", "mallory@corp.example")));
        kimToken = registry.userWithToken("kim");
        // both accounts are made (just in time) by a first sign-in
        signedIn("alice-sub");
        signedIn("mallory-sub");
    }

    @AfterAll
    static void stop() {
        TestOpenIdProvider.stop(registry, idp);
    }

    /** A console session for {@code subject}, signed in through the provider (made just in time the first time). */
    static Agent signedIn(String subject) {
        return idp.signedIn(registry, "corp", subject);
    }

    /** kim publishes {@code pkg} with alice and mallory as maintainers, and stages {@code version} of it. */
    static String staged(String pkg, String version, boolean securityKey) {
        if (registry.airlock.packages.isPublished(PackageName.parse(pkg), "1.0.0")) {
            return registry.stage(kimToken, pkg, version, false);
        }
        var m = dev.airlock.testing.Tarballs.manifest(pkg, "1.0.0");
        assertThat(registry.http
                        .send(
                                "PUT",
                                pkg,
                                kimToken,
                                dev.airlock.platform.json.Json.write(dev.airlock.testing.Tarballs.publishBody(
                                        m, dev.airlock.testing.Tarballs.packageTgz(m), "latest")))
                        .status())
                .isEqualTo(201);
        Actor kim = new Actor("kim", "session", "key-kim", "127.0.0.1");
        registry.airlock
                .packageUseCases
                .ownership()
                .setMaintainers(kim, PackageName.parse(pkg), null, List.of("kim", "alice", "mallory"));
        if (securityKey) {
            registry.airlock.policies.setPackage(
                    Actor.operator(), PackageName.parse(pkg), new Policy(null, null, null, null, true));
        }
        return registry.stage(kimToken, pkg, version, false);
    }

    record Page(String csrf, String integrity, String body) {}

    static Page stagePage(Agent agent, String id) {
        return stagePage(agent, id, "");
    }

    static Page stagePage(Agent agent, String id, String query) {
        HttpResponse<String> r = agent.get(registry.consoleUrl() + "-/console/stage/" + id + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Matcher c = CSRF.matcher(r.body());
        assertThat(c.find()).isTrue();
        Matcher i = Pattern.compile("name=\"integrity\" value=\"([^\"]+)\"").matcher(r.body());
        assertThat(i.find()).isTrue();
        return new Page(c.group(1), i.group(1), r.body());
    }

    /**
     * Presses "Confirm with Corp SSO" on the stage page and signs in at the provider as {@code subject}; returns the
     * callback URL the provider sends the browser to (not yet visited).
     */
    static String confirmAt(Agent agent, String id, String subject) {
        Page page = stagePage(agent, id);
        assertThat(page.body()).contains("Confirm with Corp SSO");
        HttpResponse<String> start = agent.post(
                registry.consoleUrl() + "-/console/stage/" + id + "/confirm",
                Map.of("csrf", page.csrf(), "integrity", page.integrity(), "provider", "corp"));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        String authorize = Agent.refreshTarget(start);
        assertThat(authorize)
                .startsWith(idp.issuer() + "/auth?")
                .contains("prompt=login")
                .contains("max_age=0");
        return agent.signInAt(authorize, subject, idp.issuer());
    }

    static HttpResponse<String> approveWithIdp(Agent agent, String id) {
        Page page = stagePage(agent, id);
        return agent.post(
                registry.consoleUrl() + "-/console/stage/" + id + "/approve",
                Map.of("csrf", page.csrf(), "integrity", page.integrity(), "idp", "1"));
    }

    static List<Approval> approvals(String id) {
        return registry.airlock.staging.view(Actor.operator(), id).approvals();
    }

    @Test
    void aFreshReauthenticationWithAnAcceptedAmrApprovesAndIsRecordedAsTheFactor() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "1.1.0", false);
        idp.nextLogin("alice-sub", "pwd,otp", null, 0);
        String back = confirmAt(alice, id, "alice-sub");
        HttpResponse<String> done = alice.get(back);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(done.body()).contains("sso-presence-done");
        assertThat(stagePage(alice, id).body()).contains("id=\"approve-idp\"");

        HttpResponse<String> approved = approveWithIdp(alice, id);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(302);
        assertThat(approvals(id))
                .extracting(Approval::user, Approval::factor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "idp:corp:otp"));
        assertThat(registry.airlock.packages.isPublished(PackageName.parse("gizmo"), "1.1.0"))
                .isTrue();

        // replaying the provider's callback: the flow was used
        assertThat(alice.get(back).statusCode()).isEqualTo(401);
    }

    @Test
    void anAcrFromTheListCountsToo() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "1.2.0", false);
        idp.nextLogin("alice-sub", null, "urn:corp:loa:mfa", 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        assertThat(approveWithIdp(alice, id).statusCode()).isEqualTo(302);
        assertThat(approvals(id)).extracting(Approval::factor).containsExactly("idp:urn:corp:loa:mfa");
    }

    @Test
    void anAmrNotInTheListIsRefusedWithAClearMessage() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "1.3.0", false);
        idp.nextLogin("alice-sub", "pwd", "urn:corp:loa:password", 0);
        HttpResponse<String> r = alice.get(confirmAt(alice, id, "alice-sub"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body())
                .contains("does not accept as a proof of presence")
                .contains("amr pwd")
                .contains("accepted: amr otp hwk");
        assertThat(alice.cookie("airlock-presence")).isNull();
        HttpResponse<String> approve = approveWithIdp(alice, id);
        assertThat(approve.statusCode()).isEqualTo(403);
        assertThat(approvals(id)).isEmpty();
    }

    @Test
    void aStaleAuthenticationIsRefused() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "1.4.0", false);
        // the provider answers with a sign-in from fifteen minutes ago (it did not prompt again)
        idp.nextLogin("alice-sub", "otp", null, 900);
        HttpResponse<String> r = alice.get(confirmAt(alice, id, "alice-sub"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("did not sign you in again just now");
        assertThat(approvals(id)).isEmpty();
    }

    @Test
    void anotherUsersIdentityAtTheProviderIsRefused() {
        signedIn("mallory-sub");
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "1.5.0", false);
        idp.nextLogin("mallory-sub", "hwk", null, 0);
        // mallory's credentials typed at the provider in alice's browser
        alice.signOutAtProvider();
        HttpResponse<String> r = alice.get(confirmAt(alice, id, "mallory-sub"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("another Corp SSO identity");
        assertThat(approvals(id)).isEmpty();
    }

    @Test
    void aConfirmationWorksOnceForItsOneApprovalAndNeverForAnotherUser() {
        Agent alice = signedIn("alice-sub");
        Agent mallory = signedIn("mallory-sub");
        String id = staged("gizmo", "1.6.0", false);
        String other = staged("gizmo", "1.7.0", false);
        idp.nextLogin("alice-sub", "otp", null, 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        String secret = alice.cookie("airlock-presence");
        assertThat(secret).isNotNull();

        // mallory with alice's confirmation (the cookie moved to her browser): refused, and it is used up
        mallory.setCookie(registry.consoleUrl(), "airlock-presence", secret);
        HttpResponse<String> stolen = approveWithIdp(mallory, id);
        assertThat(stolen.statusCode()).isEqualTo(403);
        assertThat(stolen.body()).contains("not valid here");
        assertThat(approvals(id)).isEmpty();

        // a fresh one for 1.6.0 does not approve 1.7.0
        idp.nextLogin("alice-sub", "otp", null, 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        String second = alice.cookie("airlock-presence");
        HttpResponse<String> elsewhere = approveWithIdp(alice, other);
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(approvals(other)).isEmpty();

        // and once used, it is gone (put back into the browser, it is refused)
        idp.nextLogin("alice-sub", "otp", null, 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        String third = alice.cookie("airlock-presence");
        assertThat(approveWithIdp(alice, id).statusCode()).isEqualTo(302);
        assertThat(approvals(id)).extracting(Approval::user).containsExactly("alice");
        alice.setCookie(registry.consoleUrl(), "airlock-presence", third);
        assertThat(approveWithIdp(alice, other).statusCode()).isEqualTo(403);
        alice.setCookie(registry.consoleUrl(), "airlock-presence", second);
        assertThat(approveWithIdp(alice, other).statusCode()).isEqualTo(403);
        assertThat(approvals(other)).isEmpty();
    }

    @Test
    void theSecurityKeyPolicyTakesOnlyAPhishingResistantFactor() {
        Agent alice = signedIn("alice-sub");
        String id = staged("vault", "1.1.0", true);
        idp.nextLogin("alice-sub", "pwd,otp", null, 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = approveWithIdp(alice, id);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("phishing-resistant").contains("idp:corp:otp");
        assertThat(approvals(id)).isEmpty();

        idp.nextLogin("alice-sub", "hwk,user", null, 0);
        assertThat(alice.get(confirmAt(alice, id, "alice-sub")).statusCode()).isEqualTo(200);
        HttpResponse<String> ok = approveWithIdp(alice, id);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(302);
        assertThat(approvals(id)).extracting(Approval::factor).containsExactly("idp:corp:hwk");
    }

    static final Pattern AUTH_URL = Pattern.compile("(http://\\S+/-/console/confirm/[A-Za-z0-9]+)");

    /** A login token for {@code user} (as npm's web login through the provider would give). */
    static String tokenOf(String user) {
        return registry.airlock
                .db
                .write(tx -> registry.airlock.tokens.issueSession(tx, Actor.operator(), user))
                .secret();
    }

    /**
     * The person at the terminal opens npm's web-OTP page (authUrl), presses "Confirm with Corp SSO", signs in there
     * again (the provider reports {@code amr}), comes back and confirms.
     */
    static void confirmNpmAtProvider(Agent agent, String authUrl, String subject, String amr) {
        HttpResponse<String> page = agent.get(authUrl);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body())
                .contains("Confirm it is you")
                .contains("Confirm with Corp SSO")
                .doesNotContain("id=\"confirm-key\"");
        Matcher csrf = CSRF.matcher(page.body());
        assertThat(csrf.find()).isTrue();
        idp.nextLogin(subject, amr, null, 0);
        HttpResponse<String> start = agent.post(authUrl + "/idp", Map.of("csrf", csrf.group(1), "provider", "corp"));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        assertThat(Agent.refreshTarget(start)).contains("prompt=login").contains("max_age=0");
        HttpResponse<String> back = agent.get(agent.signInAt(Agent.refreshTarget(start), subject, idp.issuer()));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        HttpResponse<String> again = agent.get(authUrl);
        assertThat(again.body()).contains("id=\"confirm-idp\"");
        Matcher csrf2 = CSRF.matcher(again.body());
        assertThat(csrf2.find()).isTrue();
        Map<String, String> form = new HashMap<>(Map.of("csrf", csrf2.group(1), "idp", "1"));
        Matcher integrity =
                Pattern.compile("name=\"integrity\" value=\"([^\"]+)\"").matcher(again.body());
        if (integrity.find()) {
            form.put("integrity", integrity.group(1));
        }
        HttpResponse<String> confirmed = agent.post(authUrl, form);
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.body()).contains("Return to your terminal");
    }

    @Test
    void npmStageApproveInATerminalIsConfirmedAtTheProvider() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "2.0.0", false);
        Npm npm = Npm.withToken(tmp.resolve("alice-terminal"), registry.url(), tokenOf("alice"));
        Cli.Result approve = npm.runInTerminal(
                tmp,
                List.of(new Cli.Answer("Press ENTER to open in the browser", out -> {
                    Matcher m = AUTH_URL.matcher(out);
                    assertThat(m.find()).as(out).isTrue();
                    confirmNpmAtProvider(alice, m.group(1), "alice-sub", "pwd,otp");
                    return null; // type nothing: npm's poll picks the code up
                })),
                "stage",
                "approve",
                id);
        assertThat(approve.exit()).as(approve.toString()).isZero();
        assertThat(approve.stdout()).contains("approved and published successfully");
        assertThat(approvals(id))
                .extracting(Approval::user, Approval::factor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "idp:corp:otp"));
        assertThat(registry.airlock.audit.forTarget("user:alice").stream().map(dev.airlock.audit.AuditEvent::action))
                .contains("tfa.idp-confirm");

        // without a terminal npm cannot open the page: it fails and prints where to confirm
        String other = staged("gizmo", "2.0.1", false);
        Cli.Result batch = npm.run(tmp, "stage", "approve", other);
        assertThat(batch.exit()).isNotZero();
        assertThat(batch.all())
                .contains("This operation requires a one-time password")
                .contains("/-/console/confirm/");
        assertThat(approvals(other)).isEmpty();
    }

    @Test
    void npmsConfirmationAtTheProviderCarriesItsFactorToTheSecurityKeyPolicy() {
        Agent alice = signedIn("alice-sub");
        String token = tokenOf("alice");
        String id = staged("vault", "1.2.0", true);
        Http.Response challenge = registry.http.send("POST", "-/stage/" + id + "/approve", token, null);
        assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
        assertThat(challenge.error()).contains("identity provider").contains("phishing-resistant");
        confirmNpmAtProvider(alice, challenge.json().path("authUrl").asText(), "alice-sub", "pwd,otp");
        String done = challenge
                .json()
                .path("doneUrl")
                .asText()
                .substring(registry.url().length());
        String code = registry.http.get(done, token).json().path("token").asText();
        Http.Response refused = registry.http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", code);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.error()).contains("phishing-resistant").contains("idp:corp:otp");
        assertThat(approvals(id)).isEmpty();

        Http.Response again = registry.http.send("POST", "-/stage/" + id + "/approve", token, null);
        assertThat(again.status()).isEqualTo(401);
        confirmNpmAtProvider(alice, again.json().path("authUrl").asText(), "alice-sub", "hwk");
        String done2 =
                again.json().path("doneUrl").asText().substring(registry.url().length());
        String code2 = registry.http.get(done2, token).json().path("token").asText();
        Http.Response approved =
                registry.http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", code2);
        assertThat(approved.status()).as(approved.body()).isLessThan(300);
        assertThat(approvals(id)).extracting(Approval::factor).containsExactly("idp:corp:hwk");
        // the code worked once
        assertThat(registry.http
                        .send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", code2)
                        .status())
                .isGreaterThanOrEqualTo(400);
    }

    @Test
    void aRejectionIsConfirmedAtTheProviderToo() {
        Agent alice = signedIn("alice-sub");
        String id = staged("gizmo", "2.1.0", false);
        Page page = stagePage(alice, id);
        // alice has neither an app nor a key: no one-time-password field she could not fill
        assertThat(page.body()).contains("Confirm with Corp SSO to reject").doesNotContain("id=\"reject-otp\"");
        idp.nextLogin("alice-sub", "otp", null, 0);
        HttpResponse<String> start = alice.post(
                registry.consoleUrl() + "-/console/stage/" + id + "/confirm",
                Map.of("csrf", page.csrf(), "integrity", page.integrity(), "provider", "corp", "decision", "reject"));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        HttpResponse<String> back = alice.get(alice.signInAt(Agent.refreshTarget(start), "alice-sub", idp.issuer()));
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).contains("confirmed=reject");
        Page confirmed = stagePage(alice, id, "?confirmed=reject");
        assertThat(confirmed.body()).contains("id=\"reject-idp\"").doesNotContain("id=\"approve-idp\"");
        // a confirmation for rejecting does not approve
        assertThat(approveWithIdp(alice, id).statusCode()).isEqualTo(403);
        assertThat(approvals(id)).isEmpty();
        idp.nextLogin("alice-sub", "otp", null, 0);
        HttpResponse<String> start2 = alice.post(
                registry.consoleUrl() + "-/console/stage/" + id + "/confirm",
                Map.of("csrf", page.csrf(), "integrity", page.integrity(), "provider", "corp", "decision", "reject"));
        assertThat(alice.get(alice.signInAt(Agent.refreshTarget(start2), "alice-sub", idp.issuer()))
                        .statusCode())
                .isEqualTo(200);
        Page ready = stagePage(alice, id, "?confirmed=reject");
        HttpResponse<String> rejected = alice.post(
                registry.consoleUrl() + "-/console/stage/" + id + "/reject",
                Map.of("csrf", ready.csrf(), "integrity", ready.integrity(), "idp", "1"));
        assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(302);
        assertThat(registry.airlock.staging.view(Actor.operator(), id).stage().status())
                .isEqualTo(StageState.REJECTED);
    }

    /** Polls {@code condition} (a page that navigates by itself); fails after 30 s. */
    static void until(ChromeDriver browser, java.util.function.Predicate<ChromeDriver> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!condition.test(browser)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 30 s: " + what + " (at " + browser.getCurrentUrl() + ")");
            }
            Thread.sleep(20); // a poll of the condition, not a fixed wait
        }
    }

    /** The provider's own sign-in form, filled in as {@code subject}. */
    static void atProvider(ChromeDriver browser, String subject) throws InterruptedException {
        until(browser, b -> b.getCurrentUrl().startsWith(idp.issuer() + "/interaction/"), "the provider's form");
        browser.findElement(By.name("login")).sendKeys(subject);
        browser.findElement(By.name("password")).sendKeys("any");
        Browser.submit(browser.findElement(By.cssSelector("button[type=submit]")));
    }

    @Test
    void chromiumSignsInAndApprovesWithTheProvidersConfirmation() throws InterruptedException {
        String id = staged("gizmo", "3.0.0", false);
        String token = tokenOf("alice");
        ChromeDriver browser = Browser.start(tmp.resolve("chromium"));
        try {
            idp.nextLogin("alice-sub", "pwd", null, 0);
            browser.get(registry.consoleUrl() + "-/console/stage/" + id);
            until(browser, b -> b.getCurrentUrl().contains("/-/console/login"), "the sign-in page");
            Browser.screenshot(browser, "console-login-sso");
            browser.findElement(By.id("sso-corp")).click();
            atProvider(browser, "alice-sub");
            until(browser, b -> b.getCurrentUrl().contains("/-/console/stage/" + id), "the stage page");
            // no one-time-password field alice could not fill: the provider confirms instead
            assertThat(browser.findElements(By.id("approve-otp"))).isEmpty();
            assertThat(browser.findElement(By.id("confirm-corp")).getText())
                    .isEqualTo("Confirm with Corp SSO to approve");
            Browser.screenshot(browser, "console-stage-confirm-with-idp");

            idp.nextLogin("alice-sub", "pwd,otp", null, 0);
            browser.findElement(By.id("confirm-corp")).click();
            atProvider(browser, "alice-sub");
            until(browser, b -> !b.findElements(By.id("sso-presence-done")).isEmpty(), "the confirmation");
            Browser.screenshot(browser, "console-idp-confirmed");
            browser.findElement(By.linkText("Continue")).click();
            until(browser, b -> !b.findElements(By.id("approve-idp")).isEmpty(), "the approve button");
            Browser.submit(browser.findElement(By.id("approve-idp")));
            assertThat(approvals(id))
                    .extracting(Approval::user, Approval::factor)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "idp:corp:otp"));

            // the page npm's web OTP opens offers the provider too
            String other = staged("gizmo", "3.0.1", false);
            Http.Response challenge = registry.http.send("POST", "-/stage/" + other + "/approve", token, null);
            assertThat(challenge.status()).isEqualTo(401);
            browser.get(challenge.json().path("authUrl").asText());
            assertThat(browser.findElement(By.id("operation")).getText()).isEqualTo("approve gizmo@3.0.1");
            assertThat(browser.findElement(By.id("confirm-with-corp")).getText())
                    .isEqualTo("Confirm with Corp SSO");
            Browser.screenshot(browser, "console-npm-confirm-idp");
        } finally {
            browser.quit();
        }
    }
}
