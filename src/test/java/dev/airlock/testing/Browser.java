package dev.airlock.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's real Chromium, headless, driven through Debian's chromedriver (never a downloaded browser). */
public final class Browser {
    private Browser() {}

    public static ChromeDriver start(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        // a click that submits a form returns before the next page has loaded: lookups wait for their element
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(15));
        return driver;
    }

    /** The whole page (up to 4,000 pixels high), not only what the window shows; the window's view if that fails. */
    @SuppressWarnings("unchecked")
    static byte[] fullPage(ChromeDriver driver) {
        try {
            java.util.Map<String, Object> size = (java.util.Map<String, Object>)
                    driver.executeCdpCommand("Page.getLayoutMetrics", java.util.Map.of())
                            .get("cssContentSize");
            double width = ((Number) size.get("width")).doubleValue();
            double height = Math.min(4000, ((Number) size.get("height")).doubleValue());
            String data = (String) driver.executeCdpCommand(
                            "Page.captureScreenshot",
                            java.util.Map.of(
                                    "captureBeyondViewport",
                                    true,
                                    "clip",
                                    java.util.Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)))
                    .get("data");
            return java.util.Base64.getDecoder().decode(data);
        } catch (RuntimeException e) {
            return ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        }
    }

    /** Saves a screenshot (for docs/console.md) under target/screenshots. */
    public static void screenshot(ChromeDriver driver, String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), fullPage(driver));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Clicks {@code submit} (a form's button) and waits until the page it was on is gone, so that what is looked up
     * next is on the answer page, not the old one (a loaded machine may not have navigated when click returns).
     */
    public static void submit(org.openqa.selenium.WebElement submit) {
        submit.click();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                submit.isEnabled();
            } catch (org.openqa.selenium.StaleElementReferenceException gone) {
                return;
            } catch (org.openqa.selenium.WebDriverException navigating) {
                // Chromium answers "Node with given id does not belong to the document" (an unknown error, not a
                // stale reference) when it is asked about the element while the next document replaces this one
                if (String.valueOf(navigating.getMessage()).contains("does not belong to the document")) {
                    return;
                }
                throw navigating;
            }
            try {
                Thread.sleep(20); // a poll of the condition, not a fixed wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the page did not change within 30 s of the click");
    }
}
