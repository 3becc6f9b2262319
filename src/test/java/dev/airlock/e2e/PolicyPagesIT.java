package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Http;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console's package policy page, the org page's "security key" checkbox and the QR code of TOTP enrolment,
 * in real Chromium against a real registry.
 */
class PolicyPagesIT {
    static TestRegistry registry;
    static String aliceToken;
    static Authenticator alice;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        aliceToken = registry.userWithToken("alice");
        alice = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
        registry.addUser("bob", "bob-password");
        registry.addUser("carol", "carol-password");
        registry.createOrg("acme", "alice");
        for (String name : new String[] {"widget", "gadget", "gizmo"}) {
            publish(name, null);
        }
        publish("@acme/lib", "restricted");
        publish("@acme/tools", "restricted");
        browser = Browser.start(tmp.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
    }

    static void publish(String name, String access) {
        ObjectNode m = Tarballs.manifest(name, "1.0.0");
        ObjectNode body = Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest");
        if (access != null) {
            body.put("access", access);
        }
        Http.Response r = registry.http.send(
                "PUT", name.replace("/", "%2f"), aliceToken, Json.write(body), "npm-otp", alice.next());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** Signs in as a fresh browser session; alice with her authenticator, others without 2FA. */
    static void signIn(String user) {
        browser.manage().deleteAllCookies();
        browser.get(registry.url() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user + "-password");
        if (user.equals("alice")) {
            browser.findElement(By.id("otp")).sendKeys(alice.next());
        }
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains(user);
    }

    static String cookie() {
        return browser.manage().getCookieNamed("airlock-session").getValue();
    }

    static String csrf() {
        return browser.findElement(By.cssSelector("nav input[name=csrf]")).getAttribute("value");
    }

    static JsonNode policy(String name) {
        Http.Response r = registry.http.get("-/airlock/v1/policy/package/" + name.replace("/", "%2f"), aliceToken);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static WebElement row(String field) {
        return browser.findElement(By.cssSelector("#effective tr[data-field='" + field + "']"));
    }

    /** A form POST the way a browser (or a forger) would send it, without following the redirect. */
    static HttpResponse<String> postForm(String path, String cookie, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "airlock-session=" + cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMaintainerSetsAPackagePolicyWithAFreshCode() {
        signIn("alice");
        browser.get(registry.url() + "-/console/package/widget");
        browser.findElement(By.id("policy-link")).click();
        assertThat(browser.findElement(By.id("effective")).getText())
                .contains("Approving a staged version requires a security key");
        assertThat(browser.getCurrentUrl()).endsWith("/-/console/policy/widget");
        assertThat(row("securityKeyApproval").findElement(By.className("value")).getText())
                .contains("false")
                .contains("default");
        assertThat(row("approvals").findElement(By.className("value")).getText())
                .contains("1");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isFalse();

        // a wrong code changes nothing
        browser.findElement(By.id("securityKeyApproval")).click();
        browser.findElement(By.id("policy-otp")).sendKeys("000000");
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.className("error")).getText()).contains("one-time password");
        assertThat(policy("widget").path("own").path("securityKeyApproval").isNull())
                .isTrue();

        browser.get(registry.url() + "-/console/policy/widget");
        WebElement approvals = browser.findElement(By.id("approvals"));
        approvals.clear();
        approvals.sendKeys("2");
        browser.findElement(By.id("securityKeyApproval")).click();
        browser.findElement(By.id("policy-otp")).sendKeys(alice.next());
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Policy saved");
        assertThat(row("securityKeyApproval").findElement(By.className("value")).getText())
                .contains("true")
                .contains("this package");
        assertThat(row("approvals").findElement(By.className("own")).getText()).isEqualTo("2");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isTrue();
        Browser.screenshot(browser, "package-policy");

        JsonNode p = policy("widget");
        assertThat(p.path("own").path("securityKeyApproval").asBoolean()).isTrue();
        assertThat(p.path("own").path("approvals").asInt()).isEqualTo(2);
        // settings left as they were are not written to the package
        assertThat(p.path("own").path("stagingRequired").isNull()).isTrue();
        assertThat(p.path("own").path("mfa").isNull()).isTrue();
        assertThat(p.path("effective").path("securityKeyApproval").asBoolean()).isTrue();
        assertThat(p.path("effective").path("approvals").asInt()).isEqualTo(2);
        assertThat(AirlockCommand.run(
                        "", "policy", "show", "--package", "widget", "--data", registry.dataDir.toString()))
                .startsWith("exit=0")
                .contains("\"securityKeyApproval\":true");
    }

    @Test
    void theOperatorCommandLineSetsTheField() {
        String out = AirlockCommand.run(
                "",
                "policy",
                "set",
                "--package",
                "@acme/tools",
                "--security-key-approval",
                "true",
                "--data",
                registry.dataDir.toString());
        assertThat(out).startsWith("exit=0");
        JsonNode p = policy("@acme/tools");
        assertThat(p.path("own").path("securityKeyApproval").asBoolean()).isTrue();
        assertThat(p.path("effective").path("securityKeyApproval").asBoolean()).isTrue();
        assertThat(AirlockCommand.run(
                        "",
                        "policy",
                        "set",
                        "--org",
                        "acme",
                        "--security-key-approval",
                        "maybe",
                        "--data",
                        registry.dataDir.toString()))
                .doesNotStartWith("exit=0");
        assertThat(AirlockCommand.run(
                        "", "policy", "set", "--package", "@acme/tools", "--data", registry.dataDir.toString()))
                .doesNotStartWith("exit=0")
                .contains("--security-key-approval");
    }

    @Test
    void aFormWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        signIn("alice");
        browser.get(registry.url() + "-/console/policy/gadget");
        String staleCsrf = csrf();
        JsonNode before = policy("gadget");
        signIn("alice");
        String cookie = cookie();
        Map<String, String> form =
                new LinkedHashMap<>(Map.of("mfa", "none", "approvals", "3", "securityKeyApproval", "true"));
        form.put("otp", alice.next());
        assertThat(postForm("-/console/policy/gadget", cookie, form).statusCode())
                .isEqualTo(403);
        form.put("csrf", staleCsrf);
        form.put("otp", alice.next());
        HttpResponse<String> stale = postForm("-/console/policy/gadget", cookie, form);
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.body()).contains("CSRF");
        assertThat(policy("gadget")).isEqualTo(before);

        // the same form with the session's token goes through
        browser.get(registry.url() + "-/console/policy/gadget");
        form.put("csrf", csrf());
        form.put("otp", alice.next());
        HttpResponse<String> ok = postForm("-/console/policy/gadget", cookie, form);
        assertThat(ok.statusCode()).isEqualTo(302);
        assertThat(ok.headers().firstValue("Location")).hasValue("/-/console/policy/gadget?done=saved");
        assertThat(policy("gadget").path("own").path("approvals").asInt()).isEqualTo(3);
    }

    @Test
    void someoneWithoutWriteAccessCannotChangeIt() throws Exception {
        JsonNode before = policy("gizmo");
        JsonNode beforeLib = policy("@acme/lib");
        signIn("bob");
        // a public package bob can read: the policy is shown, without a form; posting anyway is refused
        browser.get(registry.url() + "-/console/policy/gizmo");
        assertThat(browser.findElement(By.id("effective")).getText()).contains("Approvals");
        assertThat(browser.findElement(By.id("read-only")).getText()).contains("maintainers");
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
        assertThat(browser.findElements(By.id("package-policy"))).isEmpty();
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(15));
        Map<String, String> form = Map.of("csrf", csrf(), "mfa", "none", "approvals", "1", "stagingRequired", "true");
        HttpResponse<String> refused = postForm("-/console/policy/gizmo", cookie(), form);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("not one of its maintainers");
        assertThat(policy("gizmo")).isEqualTo(before);

        // a restricted package of an org bob is not in: as if it did not exist, for reading and for writing
        Http.Response page = new Http(registry.consoleUrl())
                .get("-/console/policy/@acme/lib", null, "Cookie", "airlock-session=" + cookie());
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).doesNotContain("package-policy").doesNotContain("effective");
        assertThat(postForm("-/console/policy/@acme%2flib", cookie(), form).statusCode())
                .isEqualTo(404);
        assertThat(policy("@acme/lib")).isEqualTo(beforeLib);
    }

    @Test
    void theOrgCheckboxRoundTripsAndPackagesInheritIt() {
        signIn("alice");
        browser.get(registry.url() + "-/console/orgs/acme");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isFalse();
        browser.findElement(By.id("securityKeyApproval")).click();
        browser.findElement(By.id("policy-otp")).sendKeys(alice.next());
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Policy saved");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isTrue();
        assertThat(registry.airlock.policies.ofOrg(Actor.operator(), "acme").securityKeyApproval())
                .isTrue();
        assertThat(policy("@acme/lib")
                        .path("effective")
                        .path("securityKeyApproval")
                        .asBoolean())
                .isTrue();

        // the package page shows where it comes from; its own "false" cannot relax the org's requirement (a floor)
        browser.get(registry.url() + "-/console/policy/@acme/lib");
        assertThat(row("securityKeyApproval")
                        .findElement(By.className("inherited"))
                        .getText())
                .isEqualTo("true");
        assertThat(row("securityKeyApproval").findElement(By.className("value")).getText())
                .contains("org acme");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isTrue();
        browser.findElement(By.id("securityKeyApproval")).click();
        browser.findElement(By.id("policy-otp")).sendKeys(alice.next());
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.id("done")).isDisplayed()).isTrue();
        JsonNode lib = policy("@acme/lib");
        assertThat(lib.path("own").path("securityKeyApproval").asBoolean(true)).isFalse();
        assertThat(lib.path("effective").path("securityKeyApproval").asBoolean())
                .isTrue();
        assertThat(row("securityKeyApproval").findElement(By.className("value")).getText())
                .contains("cannot relax");
        assertThat(lib.path("own").path("approvals").isNull()).isTrue();

        browser.get(registry.url() + "-/console/orgs/acme");
        browser.findElement(By.id("securityKeyApproval")).click();
        browser.findElement(By.id("policy-otp")).sendKeys(alice.next());
        browser.findElement(By.id("save-policy")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Policy saved");
        assertThat(browser.findElement(By.id("securityKeyApproval")).isSelected())
                .isFalse();
        assertThat(registry.airlock.policies.ofOrg(Actor.operator(), "acme").securityKeyApproval())
                .isFalse();
    }

    @Test
    void totpEnrolmentShowsTheKeyAsAnInlineQrCode() {
        signIn("carol");
        browser.get(registry.url() + "-/console/account");
        browser.findElement(By.id("tfa-password")).sendKeys("carol-password");
        browser.findElement(By.id("enrol")).click();
        WebElement qr = browser.findElement(By.cssSelector("svg#totp-qr"));
        Browser.screenshot(browser, "totp-qr");
        assertThat(qr.isDisplayed()).isTrue();
        assertThat(qr.getSize().getWidth()).isGreaterThan(100);
        assertThat(qr.findElement(By.tagName("path")).getAttribute("d")).startsWith("M");
        String secret = browser.findElement(By.id("totp-secret")).getText();
        assertThat(secret).matches("[A-Z2-7]{16,}");
        assertThat(browser.getPageSource())
                .doesNotContain("style=")
                .doesNotContain("<script>")
                .doesNotContain("data:");
        // the key behind the picture works: confirming with its code turns 2FA on
        browser.findElement(By.id("confirm-otp")).sendKeys(new Authenticator(secret, registry.clock).next());
        browser.findElement(By.id("confirm")).click();
        // #recovery exists only on the next page (#tfa-status is on both: look it up once the new page is there)
        assertThat(browser.findElement(By.id("recovery")).findElements(By.tagName("li")))
                .hasSize(10);
        assertThat(browser.findElement(By.id("tfa-status")).getText()).contains("auth-and-writes");
    }
}
