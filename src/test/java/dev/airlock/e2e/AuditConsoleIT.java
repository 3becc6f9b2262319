package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console's audit log page in real Chromium: reached from the navigation, a maintainer sees their package's
 * events (never another's, and a restricted package of someone else is "not found"), filters, pages by cursor, and
 * event text is shown as text.
 */
class AuditConsoleIT {
    static TestRegistry registry;
    static Authenticator app;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        String alice = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", alice, "auth-only");
        String bob = registry.userWithToken("bob");
        publish(alice, "widget");
        publish(bob, "gadget");
        publish(bob, "@bob/hidden");
        registry.airlock
                .packageUseCases
                .ownership()
                .setAccess(
                        new Actor("bob", "session", null, "127.0.0.1"), PackageName.parse("@bob/hidden"), "restricted");
        // 60 more events of alice's package, one with markup in its detail
        Actor actor = new Actor("alice", "session", null, "127.0.0.1");
        registry.airlock.db.write(tx -> {
            for (int i = 0; i < 60; i++) {
                registry.airlock.audit.record(
                        tx,
                        actor,
                        "package.dist-tag.add",
                        "package:widget",
                        Map.of("tag", i == 7 ? "<img src=x onerror=alert(1)>" : "t" + i));
            }
            return null;
        });
        browser = Browser.start(tmp.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
    }

    static void publish(String token, String name) {
        assertThat(registry.http
                        .put(Tarballs.escaped(name), token, Json.write(Tarballs.publishBody(name, "1.0.0")))
                        .status())
                .isEqualTo(201);
    }

    static List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#events tbody tr"));
    }

    static long seq(WebElement row) {
        return Long.parseLong(row.getAttribute("data-seq"));
    }

    static void filter(String field, String value) {
        WebElement input = browser.findElement(By.id(field));
        input.clear();
        input.sendKeys(value);
        WebElement form = browser.findElement(By.id("audit-filter"));
        browser.findElement(By.id("apply")).click();
        awaitNewPage(form);
    }

    /** Waits until the browser has replaced the page {@code old} was on. */
    static void awaitNewPage(WebElement old) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                old.isDisplayed();
            } catch (StaleElementReferenceException gone) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the page did not change");
    }

    @Test
    void aMaintainerFiltersAndPagesTheirPackagesEvents() {
        browser.get(registry.consoleUrl() + "-/console/");
        browser.findElement(By.id("username")).sendKeys("alice");
        browser.findElement(By.id("password")).sendKeys("alice-password");
        browser.findElement(By.id("otp")).sendKeys(app.next());
        browser.findElement(By.id("sign-in")).click();
        browser.findElement(By.linkText("Audit log")).click();
        assertThat(browser.getCurrentUrl()).endsWith("/-/console/audit");
        assertThat(browser.findElement(By.cssSelector("nav a[aria-current=page]"))
                        .getText())
                .isEqualTo("Audit log");

        List<WebElement> first = rows();
        assertThat(first).hasSize(50);
        assertThat(first.get(0).getText())
                .contains("package.publish", "package:widget", "alice (session)", "version=1.0.0");
        assertThat(browser.findElement(By.tagName("main")).getText())
                .contains("tag=<img src=x onerror=alert(1)>")
                .doesNotContain("gadget", "@bob/hidden");
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Audit log · Airlock");
        Browser.screenshot(browser, "audit-log");
        long firstSeq = seq(first.get(0));
        long last = seq(first.get(49));

        browser.findElement(By.id("next-page")).click();
        assertThat(browser.getCurrentUrl()).endsWith("/-/console/audit?after=" + last);
        List<WebElement> second = rows();
        assertThat(second).hasSize(11);
        assertThat(seq(second.get(0))).isGreaterThan(last);
        assertThat(browser.findElements(By.id("next-page"))).isEmpty();
        browser.findElement(By.id("first-page")).click();
        assertThat(seq(rows().get(0))).isEqualTo(firstSeq);

        filter("f-action", "package.publish");
        assertThat(rows()).hasSize(1);
        assertThat(browser.getCurrentUrl()).contains("action=package.publish");

        filter("f-action", "package.*");
        filter("f-package", "widget");
        assertThat(rows()).hasSize(50);
        WebElement page = browser.findElement(By.id("next-page"));
        page.click();
        awaitNewPage(page);
        assertThat(browser.getCurrentUrl()).contains("package=widget", "action=package.*", "after=");
        assertThat(rows()).hasSize(11);

        filter("f-package", "gadget");
        assertThat(browser.findElements(By.id("events"))).isEmpty();
        assertThat(browser.findElement(By.id("no-events")).getText()).contains("No events you may see");

        filter("f-package", "@bob/hidden");
        assertThat(browser.findElement(By.id("audit-error")).getText()).isEqualTo("Package \"@bob/hidden\" not found.");

        browser.get(registry.consoleUrl() + "-/console/audit?since=yesterday");
        assertThat(browser.findElement(By.id("audit-error")).getText()).startsWith("since must be a time such as");
        assertThat(browser.findElement(By.id("f-since")).getAttribute("value")).isEqualTo("yesterday");
    }
}
