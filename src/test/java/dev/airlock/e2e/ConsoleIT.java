package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;

/** The approval console in real Chromium (issue #5, first part: TOTP sign-in, review, approve/reject, CSRF, CSP). */
class ConsoleIT {
    static TestRegistry registry;
    static String token;
    static Authenticator app;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        token = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", token, "auth-and-writes");
        ObjectNode first = Tarballs.manifest("widget", "1.0.0");
        first.put(
                "description", "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">");
        assertThat(registry.http
                        .send(
                                "PUT",
                                "widget",
                                token,
                                Json.write(Tarballs.publishBody(first, Tarballs.packageTgz(first), "latest")),
                                "npm-otp",
                                app.next())
                        .status())
                .isEqualTo(201);
        browser = Browser.start(tmp.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
    }

    static String stage(String version, boolean risky) {
        return registry.stage(token, "widget", version, risky);
    }

    static void signIn() {
        browser.get(registry.consoleUrl() + "-/console/");
        assertThat(browser.getCurrentUrl()).contains("/-/console/login");
        Browser.screenshot(browser, "sign-in");
        browser.findElement(By.id("username")).sendKeys("alice");
        browser.findElement(By.id("password")).sendKeys("alice-password");
        browser.findElement(By.id("otp")).sendKeys(app.next());
        browser.findElement(By.id("sign-in")).click();
        // signed in: the navigation with the sign-out form appears (and the session cookie is set)
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("alice");
    }

    @Test
    void reviewARiskyReleaseAndApproveItWithAFreshCode() {
        String id = stage("1.1.0", true);
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys("alice");
        browser.findElement(By.id("password")).sendKeys("alice-password");
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.className("error")).getText()).contains("two-factor");
        signIn();
        Browser.screenshot(browser, "staged-list");
        assertThat(browser.findElement(By.id("staged")).getText())
                .contains("widget")
                .contains("1.1.0")
                .contains("0 of 1");
        // the risk at a glance: a marker and the signal counts per row, the age and the expiry in words
        var row = browser.findElement(By.xpath("//table[@id='staged']//tr[.//a[contains(@href,'" + id + "')]]"));
        assertThat(row.getAttribute("data-risk")).isEqualTo("high");
        assertThat(row.getText())
                .contains("High risk")
                .contains("2 high")
                .contains("1 medium")
                .contains("just now")
                .contains("expires in 7 days");
        Cookie before = browser.manage().getCookieNamed("airlock-session");
        assertThat(before.isHttpOnly()).isTrue();
        assertThat(before.getSameSite()).isEqualTo("Strict");

        browser.findElement(By.cssSelector("a[href$='" + id + "']")).click();
        Browser.screenshot(browser, "review");
        var summary = browser.findElement(By.id("summary"));
        assertThat(summary.getAttribute("class")).isEqualTo("risky");
        List<String> signals = summary.findElements(By.tagName("li")).stream()
                .map(e -> e.getText())
                .toList();
        assertThat(signals.get(0)).contains("postinstall").contains("node steal.js");
        assertThat(String.join("\n", signals)).contains("helper installs from git");
        assertThat(browser.findElement(By.id("files")).getText()).contains("package.json");
        // the diff is coloured by line kind and numbered; the integrity being approved is restated by the button
        assertThat(browser.findElements(By.cssSelector(".diff-file tr.add td.ln")))
                .isNotEmpty();
        assertThat(browser.findElement(By.cssSelector(".diff-file tr.add td")).getCssValue("background-color"))
                .isEqualTo("rgba(204, 255, 216, 1)");
        String integrity = registry.http
                .get("-/stage/" + id, token)
                .json()
                .path("integrity")
                .asText();
        assertThat(browser.findElement(By.id("approve-integrity")).getText()).isEqualTo(integrity);
        assertThat(browser.findElement(By.id("reject")).getAttribute("class")).contains("btn-danger");
        assertThat(browser.findElement(By.id("approve")).getAttribute("class")).contains("btn-primary");

        browser.findElement(By.id("approve-otp")).sendKeys("000000");
        browser.findElement(By.id("approve")).click();
        assertThat(browser.findElement(By.className("error")).getText()).contains("one-time password");
        assertThat(browser.getCurrentUrl()).endsWith("/approve");
        assertThat(registry.http.get("widget", null).body()).doesNotContain("1.1.0");

        browser.get(registry.consoleUrl() + "-/console/stage/" + id);
        browser.findElement(By.id("approve-otp")).sendKeys(app.next());
        browser.findElement(By.id("approve")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Approval recorded");
        assertThat(registry.http
                        .get("widget", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.1.0");
        // the session id changes at every step-up
        assertThat(browser.manage().getCookieNamed("airlock-session").getValue())
                .isNotEqualTo(before.getValue());

        browser.get(registry.consoleUrl() + "-/console/package/widget");
        Browser.screenshot(browser, "package");
        assertThat(browser.findElement(By.id("versions")).getText()).contains("approved by alice (totp)");
    }

    @Test
    void rejectFromTheConsole() {
        String id = stage("2.0.0-rc.1", false);
        if (browser.manage().getCookieNamed("airlock-session") == null) {
            signIn();
        }
        browser.get(registry.consoleUrl() + "-/console/stage/" + id);
        assertThat(browser.findElement(By.id("summary")).getAttribute("class")).isEqualTo("quiet");
        browser.findElement(By.id("reject-otp")).sendKeys(app.next());
        browser.findElement(By.id("reject")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Rejected");
        assertThat(browser.findElement(By.id("progress")).getText()).contains("rejected");
    }

    @Test
    void packageTextIsInertAndTheConsoleCannotBeFramedOrForged() {
        if (browser.manage().getCookieNamed("airlock-session") == null) {
            signIn();
        }
        browser.get(registry.consoleUrl() + "-/console/package/widget");
        assertThat(browser.getTitle()).doesNotContain("pwned");
        browser.manage().timeouts().implicitlyWait(java.time.Duration.ZERO);
        assertThat(browser.findElements(By.cssSelector(".description script, .description img")))
                .isEmpty();
        browser.manage().timeouts().implicitlyWait(java.time.Duration.ofSeconds(15));
        assertThat(browser.findElement(By.className("description")).getText()).contains("<script>");

        String cookie = browser.manage().getCookieNamed("airlock-session").getValue();
        Http.Response page = registry.http.get("-/console/", null, "Cookie", "airlock-session=" + cookie);
        assertThat(page.header("Content-Security-Policy"))
                .contains("frame-ancestors 'none'")
                .contains("default-src 'none'");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        String id = stage("3.0.0", false);
        // a forged form (no CSRF token) is refused even with a valid session and a valid code
        Http.Response forged = registry.http.send(
                "POST",
                "-/console/stage/" + id + "/approve",
                null,
                null,
                "Cookie",
                "airlock-session=" + cookie,
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(registry.http.get("widget", null).body()).doesNotContain("3.0.0");
    }

    @Test
    void revokeATokenAndSetAnOrgPolicyFromTheConsole() {
        Http.Response created = registry.http.send(
                "POST",
                "-/npm/v1/tokens",
                token,
                "{\"password\":\"alice-password\",\"name\":\"ci-pipeline\",\"bypass_2fa\":true}",
                "npm-otp",
                app.next());
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String secret = created.json().path("token").asText();
        assertThat(registry.http.get("-/whoami", secret).status()).isEqualTo(200);
        if (browser.manage().getCookieNamed("airlock-session") == null) {
            signIn();
        }
        browser.get(registry.consoleUrl() + "-/console/tokens");
        var row = browser.findElement(By.xpath("//tr[td[normalize-space()='ci-pipeline']]"));
        assertThat(row.getText()).contains("yes").contains("all packages");
        row.findElement(By.className("otp")).sendKeys(app.next());
        row.findElement(By.className("revoke")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("revoked");
        assertThat(registry.http.get("-/whoami", secret).status()).isEqualTo(401);

        registry.createOrg("acme", "alice");
        browser.get(registry.consoleUrl() + "-/console/orgs/acme");
        assertThat(browser.findElement(By.id("members")).getText())
                .contains("alice")
                .contains("owner");
        var approvals = browser.findElement(By.id("approvals"));
        approvals.clear();
        approvals.sendKeys("2");
        browser.findElement(By.id("require2fa")).click();
        browser.findElement(By.id("policy-otp")).sendKeys(app.next());
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Policy saved");
        var policy = registry.airlock.policies.ofOrg(dev.airlock.shared.Actor.operator(), "acme");
        assertThat(policy.approvals()).isEqualTo(2);
        assertThat(policy.require2fa()).isTrue();
    }

    @Test
    void turnOnTwoFactorFromTheAccountPage() {
        String beaToken = registry.userWithToken("bea");
        browser.manage().deleteAllCookies();
        try {
            browser.get(registry.consoleUrl() + "-/console/login");
            browser.findElement(By.id("username")).sendKeys("bea");
            browser.findElement(By.id("password")).sendKeys("bea-password");
            browser.findElement(By.id("sign-in")).click();
            assertThat(browser.findElement(By.tagName("nav")).getText()).contains("bea");
            browser.get(registry.consoleUrl() + "-/console/account");
            assertThat(browser.findElement(By.id("tfa-status")).getText()).contains("off");
            browser.findElement(By.id("tfa-password")).sendKeys("bea-password");
            browser.findElement(By.id("enrol")).click();
            String secret = browser.findElement(By.id("totp-secret")).getText();
            Authenticator beaApp = new Authenticator(secret, registry.clock);
            browser.findElement(By.id("confirm-otp")).sendKeys(beaApp.next());
            browser.findElement(By.id("confirm")).click();
            assertThat(browser.findElement(By.id("recovery")).findElements(By.tagName("li")))
                    .hasSize(10);
            assertThat(browser.findElement(By.id("tfa-status")).getText()).contains("auth-and-writes");
            assertThat(registry.http
                            .get("-/npm/v1/user", beaToken)
                            .json()
                            .path("tfa")
                            .path("mode")
                            .asText())
                    .isEqualTo("auth-and-writes");
        } finally {
            browser.manage().deleteAllCookies();
        }
    }
}
