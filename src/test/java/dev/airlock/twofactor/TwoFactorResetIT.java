package dev.airlock.twofactor;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.airlock.audit.AuditEvent;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The admin-assisted second-factor reset (docs/recovery.md) end to end: the operator's command line asks for it, the
 * real npm CLI is held while it is pending, the user and an org owner cancel it in real Chromium, mail reaches the
 * user and the owners of the user's orgs (a real SMTP server), and a reset whose time has come removes the factors.
 * The clock is moved, never waited for. Runs last the test that moves the clock past the delay.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoFactorResetIT {
    static GreenMail smtp;
    static TestRegistry registry;
    static ChromeDriver browser;
    static Path config;
    static final Map<String, Authenticator> apps = new HashMap<>();
    static final Map<String, String> tokens = new HashMap<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        Map<String, String> mail = new HashMap<>();
        mail.put("notifications.smtp.host", "127.0.0.1");
        mail.put("notifications.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        mail.put("notifications.smtp.starttls", "optional");
        mail.put("notifications.smtp.from", "airlock@example.org");
        registry = TestRegistry.start(mail);
        // the operator's command line runs with the server's configuration, so its notices go out by mail too
        config = tmp.resolve("airlock.yaml");
        Files2.write(
                config,
                "notifications:\n  smtp:\n    host: 127.0.0.1\n    port: "
                        + smtp.getSmtp().getPort() + "\n    starttls: optional\n    from: airlock@example.org\n");
        for (String u : List.of("alice", "dave", "erin")) {
            tokens.put(u, registry.userWithToken(u));
            apps.put(u, registry.enableTwoFactor(u, tokens.get(u), "auth-and-writes"));
        }
        registry.addUser("olive", "olive-password");
        registry.addUser("bob", "bob-password");
        registry.createOrg("acme", "olive");
        registry.createOrg("beta", "bob");
        registry.airlock.orgs.setMember(Actor.operator(), "acme", "alice", dev.airlock.orgs.OrgRole.DEVELOPER);
        registry.airlock.orgs.setMember(Actor.operator(), "acme", "dave", dev.airlock.orgs.OrgRole.DEVELOPER);
        publish("alice", "widget");
        browser = Browser.start(tmp.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        registry.close();
        smtp.stop();
    }

    static void publish(String user, String name) {
        ObjectNode m = Tarballs.manifest(name, "1.0.0");
        Http.Response r = registry.http.send(
                "PUT",
                name,
                tokens.get(user),
                Json.write(Tarballs.publishBody(m, Tarballs.packageTgz(m), "latest")),
                "npm-otp",
                apps.get(user).next());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    static String cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", registry.dataDir.toString(), "--config", config.toString()));
        return AirlockCommand.run("", all.toArray(String[]::new));
    }

    static Npm npm(String user) {
        return Npm.withToken(tmp.resolve("npm-" + user), registry.url(), tokens.get(user));
    }

    static List<String> actions(String user) {
        return registry.airlock.audit.forTarget("user:" + user).stream()
                .filter(e -> e.action().startsWith("tfa.reset."))
                .map(AuditEvent::action)
                .toList();
    }

    static AuditEvent last(String user, String action) {
        List<AuditEvent> all = registry.airlock.audit.forTarget("user:" + user).stream()
                .filter(e -> e.action().equals(action))
                .toList();
        assertThat(all).as(action).isNotEmpty();
        return all.get(all.size() - 1);
    }

    /** The mails received so far, by recipient, whose subject contains {@code subject}; waits for {@code count}. */
    static Map<String, String> mails(String subject, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            registry.airlock.notifications.deliverDue();
            Map<String, String> out = new HashMap<>();
            for (MimeMessage m : smtp.getReceivedMessages()) {
                if (m.getSubject().contains(subject)) {
                    out.put(
                            m.getAllRecipients()[0].toString(),
                            String.valueOf(m.getContent()).replace("\r\n", "\n"));
                }
            }
            if (out.size() >= count || System.currentTimeMillis() > deadline) {
                return out;
            }
            smtp.waitForIncomingEmail(1000, smtp.getReceivedMessages().length + 1);
        }
    }

    static void signIn(String user) {
        browser.manage().deleteAllCookies();
        browser.get(registry.url() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user + "-password");
        if (apps.containsKey(user)) {
            browser.findElement(By.id("otp")).sendKeys(apps.get(user).next());
        }
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains(user);
    }

    @Test
    @Order(1)
    void theCommandLineRefusesWhatItCannotReset() {
        assertThat(cli("user", "reset-2fa", "alice")).doesNotStartWith("exit=0").contains("--reason");
        assertThat(cli("user", "reset-2fa", "bob", "--reason", "lost phone"))
                .startsWith("exit=1")
                .contains("has no second factor to reset");
        assertThat(cli("user", "reset-2fa", "nobody", "--reason", "lost phone"))
                .startsWith("exit=1")
                .contains("No user \"nobody\"");
        assertThat(cli("user", "cancel-2fa-reset", "alice"))
                .startsWith("exit=1")
                .contains("No reset of alice's second factor is pending");
        assertThat(actions("bob")).isEmpty();
    }

    @Test
    @Order(2)
    void aPendingResetHoldsTheAccountUntilTheUserCancelsIt() throws Exception {
        String stage = registry.stage(tokens.get("alice"), "widget", "1.1.0", false);
        String out = cli(
                "user", "reset-2fa", "alice", "--reason", "lost phone, ticket 4711", "--requested-by", "admin root");
        assertThat(out).startsWith("exit=0").contains("Second-factor reset of alice requested: it takes effect at");
        assertThat(cli("user", "reset-2fa", "alice", "--reason", "again"))
                .startsWith("exit=1")
                .contains("already pending: it takes effect at");

        // the real npm CLI is refused, with a code it did not waste, and told until when and how to cancel
        Npm alice = npm("alice");
        Authenticator app = apps.get("alice");
        for (Cli.Result r : List.of(
                alice.run(tmp, "stage", "approve", stage, "--otp=" + app.next()),
                alice.run(tmp, "token", "create", "--password=alice-password", "--otp=" + app.next()),
                alice.run(tmp, "access", "set", "mfa=publish", "widget", "--otp=" + app.next()),
                alice.run(tmp, "owner", "add", "bob", "widget", "--otp=" + app.next()),
                alice.run(
                        tmp,
                        "trust",
                        "github",
                        "widget",
                        "--file=publish.yml",
                        "--repository=alice/widget",
                        "--allow-publish",
                        "--yes",
                        "--otp=" + app.next()))) {
            fails(r, "A reset of this account's second factor is pending until");
            assertThat(r.all()).contains("cancel it at").contains("/-/console/account");
        }
        // the org policy (owners only) and the held account's other writes: the hold covers policy changes only
        AirlockException held = org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class,
                () -> registry.airlock.policies.setOrg(
                        new Actor("alice", "session", null, "127.0.0.1"),
                        "acme",
                        new dev.airlock.policy.Policy(null, true, null, null, null)));
        assertThat(held.getMessage()).contains("pending until");

        // the user and the owner of alice's org hear of it; dave (a member, not an owner) and bob do not
        Map<String, String> requested = mails("Second-factor reset requested for alice", 2);
        assertThat(requested).containsOnlyKeys("alice@example.com", "olive@example.com");
        assertThat(requested.get("olive@example.com"))
                .contains("Reason given: lost phone, ticket 4711")
                .contains("An administrator (admin root)")
                .contains("The reset takes effect at ")
                .contains("cancel it before then in the Airlock console")
                .contains("Airlock never asks for your password, your authenticator codes or your recovery codes by"
                        + " mail");

        // alice signs in (she still has her factor) and cancels it on her account page
        signIn("alice");
        browser.get(registry.url() + "-/console/account");
        assertThat(browser.findElement(By.id("pending-reset")).getText())
                .contains("lost phone, ticket 4711")
                .contains("admin root");
        Browser.screenshot(browser, "account-pending-reset");
        // a forged form without the session's CSRF token is refused
        String cookie = browser.manage().getCookieNamed("airlock-session").getValue();
        HttpResponse<String> forged = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry.url() + "-/console/account/2fa-reset/cancel"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Cookie", "airlock-session=" + cookie)
                                .POST(HttpRequest.BodyPublishers.ofString("csrf=forged"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(registry.airlock.resets.pending("alice")).isPresent();

        browser.findElement(By.id("cancel-reset")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("cancelled");
        assertThat(browser.findElements(By.id("pending-reset"))).isEmpty();
        assertThat(registry.airlock.resets.pending("alice")).isEmpty();

        // no longer held: the same commands work
        ok(alice.run(tmp, "access", "set", "mfa=publish", "widget", "--otp=" + app.next()));
        ok(alice.run(tmp, "stage", "approve", stage, "--otp=" + app.next()));
        assertThat(actions("alice"))
                .containsSubsequence("tfa.reset.request", "tfa.reset.notify", "tfa.reset.cancel", "tfa.reset.notify");
        AuditEvent request = last("alice", "tfa.reset.request");
        assertThat(request.actor()).startsWith("@cli");
        assertThat(request.detail())
                .containsEntry("reason", "lost phone, ticket 4711")
                .containsEntry("requestedBy", "admin root");
        assertThat(last("alice", "tfa.reset.cancel").user()).isEqualTo("alice");
        assertThat(mails("Second-factor reset of alice cancelled", 1)).containsOnlyKeys("olive@example.com");
        assertThat(apps.get("alice")).isNotNull();
        assertThat(registry.airlock.twoFactor.enabled("alice")).isTrue();
    }

    @Test
    @Order(3)
    void anOwnerOfTheUsersOrgCancelsItOnTheOrgPage() throws Exception {
        assertThat(cli("user", "reset-2fa", "dave", "--reason", "new laptop")).startsWith("exit=0");
        // bob owns another org: he cannot cancel dave's reset
        AirlockException notHis = org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class,
                () -> registry.airlock.resets.cancel(new Actor("bob", "session", null, "127.0.0.1"), "dave"));
        assertThat(notHis.getMessage()).contains("that you can cancel");
        // nor can dave's own automation token (a signed-in console session is needed)
        org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class,
                () -> registry.airlock.resets.cancel(new Actor("dave", "granular", "k", "127.0.0.1"), "dave"));

        signIn("olive");
        browser.get(registry.url() + "-/console/orgs/acme");
        assertThat(browser.findElement(By.id("resets")).getText())
                .contains("dave")
                .contains("new laptop");
        Browser.screenshot(browser, "org-pending-reset");
        browser.findElement(By.id("cancel-reset-dave")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Second-factor reset cancelled");
        assertThat(browser.findElements(By.id("resets"))).isEmpty();
        assertThat(registry.airlock.resets.pending("dave")).isEmpty();
        AuditEvent cancel = last("dave", "tfa.reset.cancel");
        assertThat(cancel.user()).isEqualTo("olive");
        assertThat(cancel.detail()).containsEntry("cancelledBy", "olive");
        assertThat(mails("Second-factor reset of dave cancelled", 1)).containsOnlyKeys("dave@example.com");
    }

    @Test
    @Order(4)
    void aPasswordChangeNeverClearsTheSecondFactor() {
        Http.Response r = registry.http.send(
                "POST",
                "-/npm/v1/user",
                tokens.get("erin"),
                "{\"password\":{\"old\":\"erin-password\",\"new\":\"erin-new-password\"}}",
                "npm-otp",
                apps.get("erin").next());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("tfa").path("mode").asText()).isEqualTo("auth-and-writes");
        assertThat(ok(npm("erin").run(tmp, "profile", "get")).stdout()).contains("two-factor auth: auth-and-writes");
        // and her password alone does not sign her in
        Http.Response login = registry.http.put(
                "-/user/org.couchdb.user:erin", null, "{\"name\":\"erin\",\"password\":\"erin-new-password\"}");
        assertThat(login.status()).as(login.body()).isEqualTo(401);
    }

    @Test
    @Order(5)
    void aResetWhoseTimeHasComeRemovesEveryFactor() throws Exception {
        String out = cli("user", "reset-2fa", "erin", "--reason", "lost phone and recovery codes");
        assertThat(out).startsWith("exit=0");
        // erin also has a security key (stored as the console's registration stores one)
        registry.airlock.db.write(tx -> {
            new JdbiSecurityKeyStore()
                    .insert(
                            tx,
                            new SecurityKeyStore.Credential("cred-erin-1", "erin", "handle-erin", "pQECAyYgAQ", 0),
                            "YubiKey",
                            registry.clock.millis());
            return null;
        });
        assertThat(registry.airlock.twoFactor.keys().any("erin")).isTrue();
        assertThat(registry.airlock.resets.applyDue()).as("not before its time").isZero();
        assertThat(registry.airlock.twoFactor.enabled("erin")).isTrue();

        registry.clock.advance(Duration.ofHours(73));
        assertThat(registry.airlock.resets.applyDue()).isEqualTo(1);
        assertThat(registry.airlock.resets.applyDue()).as("once").isZero();
        assertThat(registry.airlock.twoFactor.enabled("erin")).isFalse();
        assertThat(registry.airlock.resets.pending("erin")).isEmpty();

        // npm shows 2FA off, and the password alone signs her in
        assertThat(ok(npm("erin").run(tmp, "profile", "get")).stdout()).contains("two-factor auth: disabled");
        Http.Response login = registry.http.put(
                "-/user/org.couchdb.user:erin", null, "{\"name\":\"erin\",\"password\":\"erin-new-password\"}");
        assertThat(login.status()).as(login.body()).isEqualTo(201);

        AuditEvent applied = last("erin", "tfa.reset.apply");
        assertThat(applied.detail())
                .containsEntry("reason", "lost phone and recovery codes")
                .containsEntry("authenticatorApp", true)
                .containsEntry("securityKeys", 1);
        assertThat(registry.airlock.twoFactor.keys().any("erin")).isFalse();
        assertThat(applied.detail().get("requestedBy").toString()).startsWith("operator ");
        assertThat(actions("erin")).containsSubsequence("tfa.reset.request", "tfa.reset.notify", "tfa.reset.apply");
        assertThat(mails("Second factor of erin reset", 1)).containsOnlyKeys("erin@example.com");
        assertThat(mails("Second factor of erin reset", 1).get("erin@example.com"))
                .contains("signs in with its password alone")
                .contains("Airlock never asks for your password");
    }
}
