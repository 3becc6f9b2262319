package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Issue #5's "done when": a maintainer whose only second factor is a security key enrols it, signs in with it,
 * reviews a staged release that adds an install script, approves it with the key from the console and from
 * {@code npm stage approve} in a terminal, and the version installs. Real Chromium with its virtual authenticator,
 * the real npm CLI in a pseudo-terminal.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityKeysIT {
    static TestRegistry registry;
    static String token;
    /** A second login token of kim's, from before the key (logging in now needs the key). */
    static String otherToken;

    static ChromeDriver browser;
    static VirtualAuthenticator key;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        token = registry.userWithToken("kim");
        otherToken = registry.login("kim", "kim-password");
        ObjectNode first = Tarballs.manifest("gadget", "1.0.0");
        byte[] tgz = Tarballs.tgz(
                Tarballs.Entry.file("package/package.json", Json.write(first)),
                Tarballs.Entry.file("package/index.js", "module.exports = 1;\n"),
                Tarballs.Entry.file("package/README.md", "# gadget\n"));
        assertThat(registry.http
                        .send("PUT", "gadget", token, Json.write(Tarballs.publishBody(first, tgz, "latest")))
                        .status())
                .isEqualTo(201);
        browser = Browser.start(tmp.resolve("chromium"));
        key = ((HasVirtualAuthenticator) browser)
                .addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                        .setTransport(VirtualAuthenticatorOptions.Transport.USB)
                        .setHasResidentKey(true)
                        .setHasUserVerification(true)
                        .setIsUserVerified(true)
                        .setIsUserConsenting(true));

        // kim has no second factor yet: password only, then the account page adds a key
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys("kim");
        browser.findElement(By.id("password")).sendKeys("kim-password");
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("kim");
        browser.get(registry.consoleUrl() + "-/console/account");
        browser.findElement(By.id("key-name")).clear();
        browser.findElement(By.id("key-name")).sendKeys("YubiKey <5>");
        browser.findElement(By.id("key-password")).sendKeys("kim-password");
        browser.findElement(By.id("add-key")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Security key added");
        // the first factor comes with recovery codes, shown once
        assertThat(browser.findElements(By.cssSelector("#recovery li"))).hasSize(10);
        assertThat(browser.findElement(By.cssSelector("#keys .key-name")).getText())
                .isEqualTo("YubiKey <5>");
        // issue 10: a key is a second factor; the account page must not call a key-only account unprotected
        assertThat(browser.findElement(By.id("tfa-status")).getText())
                .contains("on: 1 security key")
                .doesNotContain("off");
        Browser.screenshot(browser, "console-account-keys");
        assertThat(key.getCredentials()).hasSize(1);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
    }

    static String stage(String version, boolean risky) {
        return registry.stage(token, "gadget", version, risky);
    }

    /** Signs in with password and key (the key step comes only after a correct password). */
    static void signIn() {
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys("kim");
        browser.findElement(By.id("password")).sendKeys("kim-password");
        browser.findElement(By.id("sign-in")).click();
        browser.findElement(By.id("sign-in-key"));
        assertThat(browser.manage().getCookieNamed("airlock-session"))
                .as("no session before the key")
                .isNull();
        Browser.screenshot(browser, "console-sign-in-key");
        browser.findElement(By.id("sign-in-key")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("kim");
    }

    static void ensureSignedIn() {
        if (browser.manage().getCookieNamed("airlock-session") == null) {
            signIn();
        }
    }

    static JsonNode version(String v) {
        return registry.http.get("gadget", null).json().path("versions").path(v);
    }

    @Test
    @Order(1)
    void signingInNeedsTheKeyAfterThePasswordOrAPasskeyAlone() throws InterruptedException {
        signIn();
        // a wrong password never reaches the key step
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys("kim");
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.className("error")).getText()).contains("Incorrect username or password");
        assertThat(browser.findElements(By.id("sign-in-key"))).isEmpty();
        // the console on 127.0.0.1 sends the browser to localhost, where keys work
        browser.get(registry.url() + "-/console/login");
        assertThat(browser.getCurrentUrl()).startsWith(registry.consoleUrl());

        // a passkey alone: the browser offers the key's discoverable credential, the key verifies its user
        browser.findElement(By.id("passkey-sign-in")).click();
        // a key that cannot verify its user gives no answer to a request that requires it: nothing is sent
        key.setUserVerified(false);
        try {
            browser.findElement(By.id("sign-in-passkey")).click();
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!browser.findElement(By.className("key-status")).getText().contains("did not answer")
                    && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertThat(browser.findElement(By.className("key-status")).getText())
                    .contains("did not answer");
            assertThat(browser.manage().getCookieNamed("airlock-session")).isNull();
        } finally {
            key.setUserVerified(true);
        }
        browser.get(registry.consoleUrl() + "-/console/login/passkey?next=%2F-%2Fconsole%2Faccount");
        Browser.screenshot(browser, "console-sign-in-passkey");
        browser.findElement(By.id("sign-in-passkey")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("kim");
        assertThat(browser.getCurrentUrl()).endsWith("/-/console/account");
        assertThat(registry.airlock.audit.forTarget("user:kim").stream().map(e -> e.action()))
                .contains("console.sign-in");
        // the page's ceremony is single-use and no answer can be made up
        Http.Response forged = registry.http.send(
                "POST",
                "-/console/login/passkey",
                null,
                "ceremony=nothing&credential=%7B%7D&next=%2F-%2Fconsole%2F",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(forged.status()).isIn(400, 401);
        assertThat(forged.header("Set-Cookie")).isNull();
    }

    @Test
    @Order(2)
    void reviewARiskyReleaseApproveItWithTheKeyAndInstallIt() throws Exception {
        String id = stage("1.1.0", true);
        ensureSignedIn();
        browser.get(registry.consoleUrl() + "-/console/stage/" + id);
        var summary = browser.findElement(By.id("summary"));
        assertThat(summary.getAttribute("class")).isEqualTo("risky");
        List<String> signals = summary.findElements(By.tagName("li")).stream()
                .map(e -> e.getText())
                .toList();
        assertThat(signals.get(0)).contains("postinstall").contains("node steal.js");
        assertThat(String.join("\n", signals)).contains("helper installs from git");
        assertThat(browser.findElement(By.id("staged-token")).getText())
                .contains("session token")
                .contains("no 2FA bypass");
        // the README's markup is shown in the diff as text, and nothing of it ran
        assertThat(browser.findElements(By.cssSelector("table.diff tr.add")).stream()
                        .map(e -> e.getText())
                        .toList())
                .anySatisfy(d -> assertThat(d).contains("<script>document.title='pwned'</script>"));
        assertThat(browser.findElements(By.cssSelector("table.diff script, table.diff img")))
                .isEmpty();
        assertThat(browser.getTitle()).doesNotContain("pwned");
        // kim has no authenticator app: the page offers the key, not a code field
        assertThat(browser.findElements(By.id("approve-otp"))).isEmpty();
        Browser.screenshot(browser, "console-review-key");
        browser.findElement(By.id("approve-key")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Approval recorded");

        JsonNode a = version("1.1.0").path("airlock");
        assertThat(a.path("approvedBy").get(0).path("name").asText()).isEqualTo("kim");
        assertThat(a.path("approvedBy").get(0).path("factor").asText()).isEqualTo("security-key");
        // npm fetches it (integrity checked) and shows how it was authorised; its git dependency keeps it from an
        // offline install, so a clean follow-up, approved the same way, is installed
        Npm npm = new Npm(tmp.resolve("install-home"), registry.url());
        ok(npm.run(tmp, "pack", "gadget@1.1.0", "--pack-destination=" + tmp));
        assertThat(tmp.resolve("gadget-1.1.0.tgz")).exists();
        Cli.Result view = ok(npm.run(tmp, "view", "gadget@1.1.0", "airlock.approvedBy", "--json"));
        assertThat(view.stdout()).contains("security-key");
        String clean = stage("1.1.1", false);
        browser.get(registry.consoleUrl() + "-/console/stage/" + clean);
        browser.findElement(By.id("approve-key")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Approval recorded");
        Path app = tmp.resolve("app-1");
        Files.createDirectories(app);
        Files.writeString(app.resolve("package.json"), "{\"name\":\"app\",\"version\":\"1.0.0\",\"private\":true}");
        ok(npm.run(app, "install", "gadget@1.1.1"));
        assertThat(Files.readString(app.resolve("node_modules/gadget/package.json")))
                .contains("\"1.1.1\"");
        approvalAttestationNamesKimAndTheKeyAndTheInstallVerifies(app);
    }

    /**
     * Issue 14 §3/§4: the approval attestation of gadget@1.1.1 names the approver and the security key, is signed with
     * a key the registry serves, and the consumer's verifier (Java and Node) passes on the install's lockfile with a
     * policy asking for a security-key approval, and fails on a lockfile whose integrity was changed.
     */
    static void approvalAttestationNamesKimAndTheKeyAndTheInstallVerifies(Path app) throws Exception {
        JsonNode all = registry.http
                .get("-/airlock/v1/attestations/gadget@1.1.1", null)
                .json();
        JsonNode approval = null;
        for (JsonNode a : all.path("attestations")) {
            if (a.path("predicateType").asText().equals("https://airlock.dev/attestation/approval/v1")) {
                approval = a;
            }
        }
        assertThat(approval).as(all.toString()).isNotNull();
        JsonNode envelope = approval.path("bundle").path("dsseEnvelope");
        byte[] payload =
                java.util.Base64.getDecoder().decode(envelope.path("payload").asText());
        JsonNode statement = Json.parse(payload);
        JsonNode predicate = statement.path("predicate");
        assertThat(predicate.path("approvals")).hasSize(1);
        assertThat(predicate.path("approvals").get(0).path("user").asText()).isEqualTo("kim");
        assertThat(predicate.path("approvals").get(0).path("factor").asText()).isEqualTo("security-key");
        assertThat(predicate.path("direct").asBoolean()).isFalse();
        assertThat(statement.path("subject").get(0).path("name").asText()).isEqualTo("pkg:npm/gadget@1.1.1");
        JsonNode lock = Json.parse(Files.readAllBytes(app.resolve("package-lock.json")));
        String integrity = lock.path("packages")
                .path("node_modules/gadget")
                .path("integrity")
                .asText();
        assertThat(statement
                        .path("subject")
                        .get(0)
                        .path("digest")
                        .path("sha512")
                        .asText())
                .isEqualTo(java.util.HexFormat.of()
                        .formatHex(java.util.Base64.getDecoder().decode(integrity.substring("sha512-".length()))));
        // the DSSE signature (over the pre-authentication encoding) verifies with the key the registry serves
        String keyid = envelope.path("signatures").get(0).path("keyid").asText();
        String spki = null;
        for (JsonNode k : registry.http.get("-/npm/v1/keys", null).json().path("keys")) {
            if (k.path("keyid").asText().equals(keyid)) {
                spki = k.path("key").asText();
            }
        }
        assertThat(spki).isNotNull();
        byte[] type = "application/vnd.in-toto+json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream pae = new java.io.ByteArrayOutputStream();
        pae.writeBytes(("DSSEv1 " + type.length + " application/vnd.in-toto+json " + payload.length + " ")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        pae.writeBytes(payload);
        assertThat(dev.airlock.signing.RegistrySigner.verifies(
                        spki,
                        pae.toByteArray(),
                        envelope.path("signatures").get(0).path("sig").asText()))
                .isTrue();
        assertThat(approval.path("log").path("entry").asText())
                .contains("package.publish")
                .contains("envelopeSha256");
        // npm's own endpoint leaves it out: npm would look for it in the public Rekor log
        assertThat(registry.http.get("-/npm/v1/attestations/gadget@1.1.1", null).status())
                .isEqualTo(404);

        Path policy = tmp.resolve("policy.json");
        Files.writeString(
                policy,
                "{\"rules\":[{\"packages\":\"gadget\",\"approvals\":{\"min\":1,\"factor\":\"security-key\"}}]}");
        List<String> args = List.of(
                "--registry",
                registry.url(),
                "--lockfile",
                app.resolve("package-lock.json").toString(),
                "--policy",
                policy.toString());
        Cli.Result inJava = verifyInProcess(args);
        assertThat(inJava.exit()).as(inJava.toString()).isZero();
        assertThat(inJava.stdout()).contains("gadget");
        Cli.Result node = Cli.run(
                tmp,
                Cli.baseEnv(tmp),
                java.util.stream.Stream.concat(
                                java.util.stream.Stream.of(
                                        "node",
                                        Path.of("verifier/bin/airlock-verify.js")
                                                .toAbsolutePath()
                                                .toString()),
                                args.stream())
                        .toList(),
                java.util.Map.of(),
                120);
        assertThat(node.exit()).as(node.toString()).isZero();

        // a lockfile whose integrity was changed (another tarball) fails, naming the package and the check
        Path forged = tmp.resolve("forged-lock.json");
        Files.writeString(
                forged,
                Files.readString(app.resolve("package-lock.json"))
                        .replace(integrity, "sha512-" + "A".repeat(86) + "=="));
        List<String> forgedArgs =
                List.of("--registry", registry.url(), "--lockfile", forged.toString(), "--policy", policy.toString());
        Cli.Result bad = verifyInProcess(forgedArgs);
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.stdout()).contains("FAIL gadget@1.1.1 signature");
    }

    static Cli.Result verifyInProcess(List<String> args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        var cli = dev.airlock.Airlock.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        cli.setErr(new java.io.PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("verify"));
        all.addAll(args);
        int code = cli.execute(all.toArray(String[]::new));
        return new Cli.Result(code, out.toString(), err.toString());
    }

    @Test
    @Order(3)
    void rejectWithTheKey() {
        String id = stage("1.2.0", false);
        ensureSignedIn();
        browser.get(registry.consoleUrl() + "-/console/stage/" + id);
        browser.findElement(By.id("reject-key")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Rejected");
        assertThat(version("1.2.0").isMissingNode()).isTrue();
    }

    /** Captures what the page would post after the key answered, without posting it. */
    static String captureKeyForm(String stageId, String button) throws InterruptedException {
        browser.get(registry.consoleUrl() + "-/console/stage/" + stageId);
        browser.executeScript("HTMLFormElement.prototype.submit = function () {"
                + " window.captured = new URLSearchParams(new FormData(this)).toString(); };");
        browser.findElement(By.id(button)).click();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (browser.executeScript("return window.captured") == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return (String) browser.executeScript("return window.captured");
    }

    static Http.Response postForm(String path, String form) {
        return registry.http.send(
                "POST",
                path,
                null,
                form,
                "Cookie",
                "airlock-session="
                        + browser.manage().getCookieNamed("airlock-session").getValue(),
                "Content-Type",
                "application/x-www-form-urlencoded");
    }

    @Test
    @Order(4)
    void aKeyAnswerIsSingleUseAndBoundToWhatItWasAskedFor() throws InterruptedException {
        String id = stage("1.3.0", false);
        ensureSignedIn();
        // an assertion made for "reject" does not approve
        String forReject = captureKeyForm(id, "reject-key");
        Http.Response swapped = postForm("-/console/stage/" + id + "/approve", forReject);
        assertThat(swapped.status()).isEqualTo(400);
        assertThat(swapped.body()).contains("expired or was for something else");
        assertThat(registry.http
                        .get("-/stage/" + id, token)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("pending");
        // a fresh one approves once; the same answer posted again is refused
        String forApprove = captureKeyForm(id, "approve-key");
        assertThat(postForm("-/console/stage/" + id + "/approve", forApprove).status())
                .isEqualTo(302);
        assertThat(version("1.3.0")
                        .path("airlock")
                        .path("approvedBy")
                        .get(0)
                        .path("factor")
                        .asText())
                .isEqualTo("security-key");
        browser.navigate().refresh();
        // the session rotated at the approval: take the new cookie from the response by signing in again
        signIn();
        browser.get(registry.consoleUrl() + "-/console/account");
        String csrf = browser.findElement(By.cssSelector("input[name=csrf]")).getAttribute("value");
        Http.Response replay =
                postForm("-/console/stage/" + id + "/approve", forApprove.replaceAll("csrf=[^&]*", "csrf=" + csrf));
        assertThat(replay.body()).contains("expired or was for something else");
    }

    static final Pattern AUTH_URL = Pattern.compile("(http://localhost:\\d+/-/console/confirm/[A-Za-z0-9]+)");

    /** The person at the terminal: opens the URL npm printed and confirms with the key. */
    static String confirmInBrowser(String output, String expectedOperation) {
        Matcher m = AUTH_URL.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        ensureSignedIn();
        browser.get(m.group(1));
        assertThat(browser.findElement(By.id("operation")).getText()).isEqualTo(expectedOperation);
        assertThat(browser.findElement(By.id("origin-address")).getText()).isEqualTo("127.0.0.1");
        if (expectedOperation.startsWith("approve")) {
            // issue 10: approving from the terminal shows the same risk summary as the review, and links to it
            assertThat(browser.findElement(By.id("summary")).getText()).contains("Summary");
            assertThat(browser.findElement(By.id("review-link")).getAttribute("href"))
                    .contains("/-/console/stage/");
            assertThat(browser.findElement(By.id("confirm-integrity")).getText())
                    .startsWith("sha512-");
            Browser.screenshot(browser, "console-confirm");
        }
        browser.findElement(By.id("confirm-key")).click();
        assertThat(browser.findElement(By.id("confirmed")).getText()).contains("Return to your terminal");
        return null; // type nothing: npm's poll picks the code up
    }

    @Test
    @Order(5)
    void npmStageApproveInATerminalIsConfirmedWithTheKey() throws Exception {
        String id = stage("1.4.0", false);
        Npm npm = Npm.withToken(tmp.resolve("kim-terminal"), registry.url(), token);
        Cli.Result approve = npm.runInTerminal(
                tmp,
                List.of(new Cli.Answer(
                        "Press ENTER to open in the browser", out -> confirmInBrowser(out, "approve gadget@1.4.0"))),
                "stage",
                "approve",
                id);
        assertThat(approve.exit()).as(approve.toString()).isZero();
        assertThat(approve.stdout())
                .contains("Authenticate your account at:")
                .contains("approved and published successfully");
        assertThat(version("1.4.0")
                        .path("airlock")
                        .path("approvedBy")
                        .get(0)
                        .path("factor")
                        .asText())
                .isEqualTo("security-key");
        Path project = tmp.resolve("project");
        Files.createDirectories(project);
        Files.writeString(project.resolve("package.json"), "{\"name\":\"app\",\"version\":\"1.0.0\",\"private\":true}");
        ok(new Npm(tmp.resolve("install-home"), registry.url()).run(project, "install", "gadget@1.4.0"));
        assertThat(project.resolve("node_modules/gadget/package.json")).exists();

        // a write that polls with its own method and body: npm dist-tag add (PUT)
        Cli.Result tag = npm.runInTerminal(
                tmp,
                List.of(new Cli.Answer(
                        "Press ENTER to open in the browser", out -> confirmInBrowser(out, "make changes"))),
                "dist-tag",
                "add",
                "gadget@1.1.0",
                "stable");
        assertThat(tag.exit()).as(tag.toString()).isZero();
        assertThat(registry.http
                        .get("gadget", null)
                        .json()
                        .path("dist-tags")
                        .path("stable")
                        .asText())
                .isEqualTo("1.1.0");

        // npm publish, confirmed the same way
        Path pkg = tmp.resolve("gadget-2");
        Files.createDirectories(pkg);
        Files.writeString(pkg.resolve("package.json"), "{\"name\":\"gadget\",\"version\":\"2.0.0\"}");
        Files.writeString(pkg.resolve("index.js"), "module.exports = 2;\n");
        Cli.Result publish = npm.runInTerminal(
                pkg,
                List.of(new Cli.Answer(
                        "Press ENTER to open in the browser", out -> confirmInBrowser(out, "make changes"))),
                "publish",
                "--tag",
                "next");
        assertThat(publish.exit()).as(publish.toString()).isZero();
        assertThat(version("2.0.0").path("airlock").path("secondFactor").asText())
                .isEqualTo("security-key");

        // without a terminal npm cannot open the page: it fails and prints where to confirm
        Cli.Result batch = npm.run(tmp, "dist-tag", "add", "gadget@1.1.0", "old");
        assertThat(batch.exit()).isNotZero();
        assertThat(batch.all())
                .contains("This operation requires a one-time password")
                .contains("/-/console/confirm/");
    }

    @Test
    @Order(6)
    void theWebOtpCodeIsBoundToItsRequestAndCredential() {
        String id = stage("1.5.0", false);
        Http.Response challenge = registry.http.send("POST", "-/stage/" + id + "/approve", token, null);
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.header("WWW-Authenticate")).isEqualTo("OTP");
        String authUrl = challenge.json().path("authUrl").asText();
        String doneUrl = challenge.json().path("doneUrl").asText();
        assertThat(doneUrl).startsWith(registry.url());
        String done = doneUrl.substring(registry.url().length());
        assertThat(registry.http.get(done, token).status()).isEqualTo(202);
        // another credential cannot collect it
        String other = otherToken;
        assertThat(registry.http.get(done, other).status()).isEqualTo(404);
        assertThat(registry.http.get(done, null).status()).isEqualTo(404);
        ensureSignedIn();
        browser.get(authUrl);
        assertThat(browser.findElement(By.id("review-link")).getAttribute("href"))
                .endsWith("/-/console/stage/" + id);
        assertThat(browser.findElement(By.id("confirm-integrity")).getText())
                .isEqualTo(registry.http
                        .get("-/stage/" + id, token)
                        .json()
                        .path("integrity")
                        .asText());
        confirmInBrowser(authUrl, "approve gadget@1.5.0");
        String code = registry.http.get(done, token).json().path("token").asText();
        assertThat(code).startsWith("airlock-key-");
        assertThat(registry.http.get(done, token).status()).as("collected once").isEqualTo(404);
        // not for another operation, not from another credential
        assertThat(registry.http
                        .send("DELETE", "-/stage/" + id, token, null, "npm-otp", code)
                        .status())
                .isEqualTo(401);
        assertThat(registry.http
                        .send("POST", "-/stage/" + id + "/approve", other, null, "npm-otp", code)
                        .status())
                .isEqualTo(401);
        assertThat(registry.http
                        .get("-/stage/" + id, token)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("pending");
    }

    @Test
    @Order(7)
    void npmLoginOnTheWebAndLegacyLoginUseTheKey() {
        // the default (web) login, signed out in the browser: sign in with the key, then continue
        browser.manage().deleteAllCookies();
        Npm web = new Npm(tmp.resolve("web-home"), registry.url());
        Cli.Result login = ok(web.run(
                tmp,
                List.of(new Cli.Answer("Login at:", out -> {
                    Matcher m = Pattern.compile("(http://\\S+/-/console/web-login/[A-Za-z0-9]+)")
                            .matcher(out);
                    assertThat(m.find()).as(out).isTrue();
                    browser.get(m.group(1));
                    // issue 10: the login page says where and when the login was asked for, as the command confirmation
                    // does
                    try {
                        assertThat(browser.findElement(By.id("origin-address")).getText())
                                .isEqualTo("127.0.0.1");
                        assertThat(browser.findElement(By.id("origin-agent")).getText())
                                .startsWith("npm/11.19.1 ");
                        assertThat(browser.findElement(By.cssSelector("#origin-time time"))
                                        .getAttribute("title"))
                                .endsWith(" UTC");
                    } catch (AssertionError | RuntimeException e) {
                        System.err.println("web login page: " + browser.getPageSource());
                        throw e;
                    }
                    browser.findElement(By.id("key-sign-in")).click();
                    browser.findElement(By.id("username")).sendKeys("kim");
                    browser.findElement(By.id("password")).sendKeys("kim-password");
                    browser.findElement(By.id("sign-in")).click();
                    browser.findElement(By.id("sign-in-key")).click();
                    browser.findElement(By.id("continue-key")).click();
                    assertThat(browser.findElement(By.id("web-login-done")).getText())
                            .contains("logged in");
                    return "";
                })),
                "login"));
        assertThat(login.stdout()).contains("Logged in on " + registry.url());
        assertThat(ok(web.run(tmp, "whoami")).stdout().trim()).isEqualTo("kim");

        // the password login: npm asks for the password, then the key confirms "log in" in the browser
        Npm legacy = new Npm(tmp.resolve("legacy-home"), registry.url());
        Cli.Result couch = legacy.runInTerminal(
                tmp,
                List.of(
                        new Cli.Answer("Username:", out -> "kim"),
                        new Cli.Answer("Password:", out -> "kim-password"),
                        new Cli.Answer("Press ENTER to open in the browser", out -> confirmInBrowser(out, "log in"))),
                "login",
                "--auth-type=legacy");
        assertThat(couch.exit()).as(couch.toString()).isZero();
        assertThat(ok(legacy.run(tmp, "whoami")).stdout().trim()).isEqualTo("kim");
    }

    static dev.airlock.testing.Authenticator app;

    @Test
    @Order(8)
    void anAuthenticatorAppNextToTheKeyNeedsTheKeyAndAPolicyCanRefuseItForApproval() {
        // adding a TOTP app must not become a way around the key: npm profile enable-2fa gets the key challenge
        Http.Response enable = registry.http.post(
                "-/npm/v1/user", token, "{\"tfa\":{\"password\":\"kim-password\",\"mode\":\"auth-and-writes\"}}");
        assertThat(enable.status()).isEqualTo(401);
        assertThat(enable.json().path("authUrl").asText()).contains("/-/console/confirm/");
        // in the console the key confirms it
        ensureSignedIn();
        browser.get(registry.consoleUrl() + "-/console/account");
        browser.findElement(By.id("tfa-password")).sendKeys("kim-password");
        browser.findElement(By.id("enrol-key")).click();
        String secret = browser.findElement(By.id("totp-secret")).getText();
        app = new dev.airlock.testing.Authenticator(secret, registry.clock);
        browser.findElement(By.id("confirm-otp")).sendKeys(app.next());
        browser.findElement(By.id("confirm")).click();
        assertThat(browser.findElement(By.id("recovery")).findElements(By.tagName("li")))
                .hasSize(10);

        assertThat(dev.airlock.testing.AirlockCommand.run(
                        "",
                        "policy",
                        "set",
                        "--package",
                        "gadget",
                        "--security-key-approval",
                        "true",
                        "--data",
                        registry.dataDir.toString()))
                .contains("securityKeyApproval");
        String id = stage("1.7.0", false);
        Http.Response withCode =
                registry.http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", app.next());
        assertThat(withCode.status()).isEqualTo(401);
        assertThat(withCode.error()).contains("does not accept codes from an authenticator app");
        assertThat(withCode.json().path("authUrl").asText()).contains("/-/console/confirm/");
        assertThat(registry.http
                        .get("-/stage/" + id, token)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("pending");
        // the console offers both; the key approves
        browser.get(registry.consoleUrl() + "-/console/stage/" + id);
        assertThat(browser.findElements(By.id("approve-otp"))).hasSize(1);
        browser.findElement(By.id("approve-key")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Approval recorded");
        assertThat(version("1.7.0")
                        .path("airlock")
                        .path("approvedBy")
                        .get(0)
                        .path("factor")
                        .asText())
                .isEqualTo("security-key");
    }

    @Test
    @Order(9)
    void removingTheKeyNeedsAFreshFactorAndLeavesNoWayToApproveUnderTheKeyPolicy() {
        // a key is a new way in: a session signed in more than ten minutes ago cannot add one
        signIn();
        registry.clock.advance(Duration.ofMinutes(11));
        browser.get(registry.consoleUrl() + "-/console/account");
        String csrf = browser.findElement(By.cssSelector("#add-key-form input[name=csrf]"))
                .getAttribute("value");
        Http.Response late = postForm(
                "-/console/account/keys",
                "csrf=" + csrf + "&name=late&password=kim-password&ceremony=x" + "&credential=%7B%7D");
        assertThat(late.status()).isEqualTo(403);
        assertThat(late.body()).contains("sign in again");
        signIn();
        browser.get(registry.consoleUrl() + "-/console/account");
        assertThat(browser.findElements(By.cssSelector("#keys .key-name"))).hasSize(1);
        browser.get(registry.consoleUrl() + "-/console/account");
        browser.findElement(By.cssSelector("#keys button.key")).click();
        assertThat(browser.findElement(By.id("no-keys")).getText()).contains("No security key yet");
        assertThat(key.getCredentials()).hasSize(1); // the browser keeps it; the registry forgot it
        String id = stage("1.8.0", false);
        Http.Response approve =
                registry.http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", app.next());
        assertThat(approve.status()).isEqualTo(403);
        assertThat(approve.error()).contains("you need a security key").contains("/-/console/account");
        // signing in now takes the app's code (no key step)
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys("kim");
        browser.findElement(By.id("password")).sendKeys("kim-password");
        browser.findElement(By.id("otp")).sendKeys(app.next());
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("kim");
    }

    @Test
    @Order(10)
    void forgedOrMisdirectedKeyAnswersChangeNothing() {
        // a made-up assertion at the key step of sign-in: no session
        Http.Response forged = registry.http.send(
                "POST",
                "-/console/login/key",
                null,
                "ceremony=abc&credential=%7B%22id%22%3A%22x%22%7D&next=%2F-%2Fconsole%2F",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("Set-Cookie")).isNull();
        assertThat(forged.body()).contains("expired or was for something else");
        // unknown doneUrl ids, and junk "key codes" as npm-otp
        assertThat(registry.http.get("-/airlock/v1/confirm/nothing-here", token).status())
                .isEqualTo(404);
        assertThat(registry.http
                        .get("-/airlock/v1/confirm/" + "x".repeat(500), token)
                        .status())
                .isEqualTo(404);
        String id = stage("1.9.0", false);
        Http.Response junk =
                registry.http.send("POST", "-/stage/" + id + "/approve", token, null, "npm-otp", "airlock-key-guess");
        // kim has no key left and the package needs one to approve: the gate refuses before any code is looked at
        assertThat(junk.status()).isEqualTo(403);
        assertThat(junk.error()).contains("you need a security key");
        assertThat(registry.http
                        .get("-/stage/" + id, token)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("pending");
        // an open redirect through ?next= is not possible
        assertThat(registry.http
                        .send(
                                "POST",
                                "-/console/login",
                                null,
                                "username=kim&password=kim-password&otp=" + app.next()
                                        + "&next=https%3A%2F%2Fevil.example%2F",
                                "Content-Type",
                                "application/x-www-form-urlencoded")
                        .header("Location"))
                .isEqualTo("/-/console/");
        // issue 10: nor through dot segments, encoded or not, or backslashes: they resolve inside the console
        for (String next : new String[] {
            "%2F-%2Fconsole%2F..%2F..%2Fx",
            "%2F-%2Fconsole%2F%252e%252e%2F%252e%252e%2Fx",
            "%2F-%2Fconsole%2F..%5C..%5Cx",
            "%2F-%2Fconsole%2F..%252f..%252fx"
        }) {
            assertThat(registry.http
                            .send(
                                    "POST",
                                    "-/console/login",
                                    null,
                                    "username=kim&password=kim-password&otp=" + app.next() + "&next=" + next,
                                    "Content-Type",
                                    "application/x-www-form-urlencoded")
                            .header("Location"))
                    .as(next)
                    .isEqualTo("/-/console/");
            registry.clock.advance(Duration.ofSeconds(30));
        }
        // issue 10: a key answer the WebAuthn library cannot use is refused with a sentence, not the library's
        // exception text
        browser.get(registry.consoleUrl() + "-/console/login/passkey");
        String ceremony =
                browser.findElement(By.cssSelector("input[name=ceremony]")).getAttribute("value");
        Http.Response junkKey = registry.http.send(
                "POST",
                "-/console/login/passkey",
                null,
                "ceremony=" + ceremony
                        + "&credential=%7B%22id%22%3A%22x%22%2C%22type%22%3A%22public-key%22%7D&next=%2F-%2Fconsole%2F",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(junkKey.status()).isEqualTo(401);
        assertThat(junkKey.body())
                .contains("could not be verified")
                .doesNotContain("Exception")
                .doesNotContain("java.")
                .doesNotContain("com.");
    }

    @Test
    @Order(11)
    void anotherSiteCannotFrameTheConsoleNorSendItsForms() throws Exception {
        // another site (its own origin on loopback) tries to put the console's sign-in page in a frame
        com.sun.net.httpserver.HttpServer evil = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        registry.addUser("mallory", "mallory-password");
        byte[] page = ("<!doctype html><iframe id=f width=600 height=400 src='" + registry.consoleUrl()
                        + "-/console/login'></iframe>")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] login = ("<!doctype html><form id=f method=post action='" + registry.consoleUrl() + "-/console/login'>"
                        + "<input name=username value=mallory><input name=password value=mallory-password><input name=otp value=''>"
                        + "</form><script>document.getElementById('f').submit()</script>")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        evil.createContext("/login", x -> {
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, login.length);
            x.getResponseBody().write(login);
            x.close();
        });
        evil.createContext("/", x -> {
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, page.length);
            x.getResponseBody().write(page);
            x.close();
        });
        evil.start();
        try {
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            browser.switchTo().frame(browser.findElement(By.id("f")));
            browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(3));
            // refused by frame-ancestors 'none' / X-Frame-Options: DENY, the frame holds Chromium's error page
            assertThat(browser.findElements(By.id("username"))).isEmpty();
            browser.switchTo().defaultContent();

            // login CSRF: the other site's page posts the attacker's credentials to the console's sign-in form
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/login");
            assertThat(browser.findElement(By.id("cross-site")).getText()).contains("sent from another site");
            browser.get(registry.consoleUrl() + "-/console/account");
            assertThat(browser.getPageSource()).doesNotContain("mallory");
        } finally {
            browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(15));
            browser.switchTo().defaultContent();
            evil.stop(0);
        }
        // the same refusal without a browser: an Origin that is not the console's, or Sec-Fetch-Site: cross-site
        String form = "username=mallory&password=mallory-password&otp=";
        for (String[] headers : new String[][] {
            {"Origin", "https://evil.example"},
            {"Sec-Fetch-Site", "cross-site"},
            {"Origin", "null", "Sec-Fetch-Site", "cross-site"},
            {"Origin", "http://evil.localhost", "Sec-Fetch-Site", "same-site"}
        }) {
            String[] all = new String[2 + headers.length];
            all[0] = "Content-Type";
            all[1] = "application/x-www-form-urlencoded";
            System.arraycopy(headers, 0, all, 2, headers.length);
            Http.Response refused = registry.http.send("POST", "-/console/login", null, form, all);
            assertThat(refused.status()).as(String.join(" ", headers)).isEqualTo(403);
            assertThat(refused.header("Set-Cookie")).isNull();
        }
        // from the console's own origin (and from clients that are not browsers) the form works
        String own = registry.consoleUrl().substring(0, registry.consoleUrl().length() - 1);
        Http.Response same = registry.http.send(
                "POST",
                "-/console/login",
                null,
                form,
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Origin",
                own,
                "Sec-Fetch-Site",
                "same-origin");
        assertThat(same.status()).isEqualTo(302);
        assertThat(same.header("Set-Cookie")).isNotNull();
    }
}
