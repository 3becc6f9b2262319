package dev.airlock.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.shared.Actor;
import dev.airlock.testing.Browser;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console's notification pages in real Chromium: the anti-phishing phrase on the account page, and the admins'
 * delivery log with a destination disabled after failures, re-enabled, and a delivery retried.
 */
class NotificationConsoleIT {
    static WebhookReceiver hook;
    static TestRegistry registry;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        hook = new WebhookReceiver();
        registry = TestRegistry.start(Map.of(
                "notifications.webhooks.1.name", "ops",
                "notifications.webhooks.1.url", hook.url(),
                "notifications.webhooks.1.secret", "0123456789abcdef0123",
                "notifications.disableAfterFailures", "1"));
        registry.airlock.users.add(Actor.operator(), "root", "root@example.com", "root-password-long", true);
        registry.addUser("bob", "bob-password-long");
        browser = Browser.start(tmp.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
        hook.close();
    }

    static void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains(user);
    }

    @Test
    void theAccountPageSetsTheAntiPhishingPhrase() {
        signIn("bob", "bob-password-long");
        browser.get(registry.consoleUrl() + "-/console/account");
        assertThat(browser.findElement(By.id("no-phrase")).getText()).contains("No phrase yet");
        browser.findElement(By.id("phrase-input")).sendKeys("<b>purple</b> otters juggle");
        Browser.submit(browser.findElement(By.id("save-phrase")));
        assertThat(browser.findElement(By.id("phrase-input")).getAttribute("value"))
                .isEqualTo("<b>purple</b> otters juggle");
        assertThat(browser.findElements(By.id("no-phrase"))).isEmpty();
        Browser.screenshot(browser, "account-phrase");
        assertThat(registry.airlock.notifications.phrase("bob")).isEqualTo("<b>purple</b> otters juggle");

        browser.get(registry.consoleUrl() + "-/console/deliveries");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Only administrators");
    }

    @Test
    void theDeliveryLogShowsFailuresAndAnAdminReEnablesAndRetries() throws Exception {
        hook.fallback.set(500);
        registry.airlock.db.write(tx -> registry.airlock.notifications.enqueue(
                tx,
                Notification.of(
                        "alert.fired",
                        "warning",
                        "widget@1.1.0 waits for approval",
                        "Staged 20 minutes ago.",
                        Map.of("package", "widget"))));
        registry.airlock.notifications.deliverDue();
        signIn("root", "root-password-long");
        browser.get(registry.consoleUrl() + "-/console/deliveries");
        String destinations = browser.findElement(By.id("destinations")).getText();
        assertThat(destinations).contains("webhook:ops").contains("disabled").contains("HTTP 500");
        assertThat(browser.findElement(By.id("deliveries")).getText())
                .contains("alert.fired")
                .contains("widget@1.1.0 waits for approval")
                .contains("pending")
                .contains("HTTP 500");
        Browser.screenshot(browser, "deliveries-failing");

        hook.fallback.set(200);
        browser.findElement(By.cssSelector("button.enable")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("enabled again");
        registry.airlock.notifications.deliverDue();
        browser.get(registry.consoleUrl() + "-/console/deliveries");
        assertThat(browser.findElement(By.cssSelector("tr.delivery .status")).getText())
                .isEqualTo("delivered");
        assertThat(browser.findElement(By.id("destinations")).getText()).contains("enabled");
        Browser.screenshot(browser, "deliveries");
        assertThat(hook.received).hasSizeGreaterThanOrEqualTo(2);
    }
}
