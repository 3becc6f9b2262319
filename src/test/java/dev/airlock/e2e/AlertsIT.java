package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.airlock.alerts.Alert;
import dev.airlock.notifications.StageMailTest;
import dev.airlock.notifications.WebhookReceiver;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's "done when" for alerts, through the real npm 11.19.1 CLI: a pipeline's bypass-2FA token stages a
 * release of a package whose policy requires staging and it waits; moving the clock past 15 then 30 minutes, the
 * reminder and then the escalation arrive at a webhook (HMAC checked here) and by DKIM-signed mail (GreenMail, checked
 * by python3-dkim); the approval resolves the alert. A direct publish that policy allowed raises
 * "published without approval", which an administrator resolves with {@code ./airlock alerts resolve}.
 */
class AlertsIT {
    static final String SECRET = "0123456789abcdef0123";
    GreenMail smtp;
    WebhookReceiver hook;
    TestRegistry registry;
    Path keys;
    Path config;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        hook = new WebhookReceiver();
        keys = Files.createDirectories(tmp.resolve("dkim"));
        Path pem = StageMailTest.dkimKeys(keys);
        Map<String, String> cfg = new HashMap<>();
        cfg.put("notifications.smtp.host", "127.0.0.1");
        cfg.put("notifications.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        cfg.put("notifications.smtp.starttls", "optional"); // GreenMail offers no STARTTLS
        cfg.put("notifications.smtp.from", "airlock@example.org");
        cfg.put("notifications.dkim.domain", "example.org");
        cfg.put("notifications.dkim.selector", "airlock2026");
        cfg.put("notifications.dkim.privateKeyFile", pem.toString());
        cfg.put("notifications.webhooks.1.name", "oncall");
        cfg.put("notifications.webhooks.1.url", hook.url());
        cfg.put("notifications.webhooks.1.secret", SECRET);
        cfg.put("notifications.webhooks.1.events", "alert.*");
        cfg.put("alerts.stageWaiting.escalateTo", "olga");
        // the test evaluates the rules itself, right after moving the clock
        cfg.put("alerts.intervalSeconds", "3600");
        registry = TestRegistry.start(cfg);
        // the operator's commands read the server's configuration file (its webhooks and mail)
        StringBuilder yaml = new StringBuilder();
        cfg.forEach(
                (k, v) -> yaml.append('"').append(k).append("\": \"").append(v).append("\"\n"));
        config = tmp.resolve("airlock.yaml");
        Files.writeString(config, yaml.toString());
    }

    @AfterEach
    void stop() {
        registry.close();
        hook.close();
        smtp.stop();
    }

    @Test
    void aWaitingReleaseRemindsThenEscalatesByWebhookAndSignedMailAndApprovalResolvesIt() throws Exception {
        String aliceToken = registry.userWithToken("alice");
        Authenticator aliceApp = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
        registry.addUser("olga", "olga-password");
        Npm alice = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceToken);
        Path d = tmp.resolve("pkg");
        Files2.write(d.resolve("package.json"), "{\"name\":\"rocket\",\"version\":\"1.0.0\",\"license\":\"MIT\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        ok(alice.run(d, "publish", "--otp=" + aliceApp.next()));
        Http.Response set = registry.http.send(
                "PUT",
                "-/airlock/v1/policy/package/rocket",
                aliceToken,
                "{\"stagingRequired\":true}",
                "npm-otp",
                aliceApp.next());
        assertEquals(200, set.status(), set.body());
        Cli.Result created = ok(alice.run(
                tmp, "token", "create", "--bypass-2fa", "--password=alice-password", "--otp=" + aliceApp.next()));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(created.stdout());
        assertThat(m.find()).as(created.toString()).isTrue();
        Npm pipeline = Npm.withToken(tmp.resolve("ci"), registry.url(), m.group(1));
        registry.airlock.alerts.evaluate();
        deliver();
        hook.received.clear();
        smtp.purgeEmailFromAllMailboxes();

        Files2.write(d.resolve("package.json"), "{\"name\":\"rocket\",\"version\":\"1.1.0\",\"license\":\"MIT\"}");
        Cli.Result staged = ok(pipeline.run(d, "stage", "publish"));
        assertThat(staged.stdout()).contains("+ rocket@1.1.0");
        Matcher id = Pattern.compile("staged with id ([0-9a-f-]{36})").matcher(staged.stdout());
        assertThat(id.find()).as(staged.toString()).isTrue();
        String stage = id.group(1);
        registry.airlock.alerts.evaluate();
        assertThat(stageWaiting()).as("nothing before 15 minutes").isEmpty();

        registry.clock.advance(Duration.ofMinutes(16));
        registry.airlock.alerts.evaluate();
        JsonNode reminder = webhook("alert.fired", "stageWaiting", "reminder");
        assertEquals("warning", reminder.path("severity").asText());
        assertEquals(stage, reminder.path("data").path("stage").asText());
        assertEquals("rocket", reminder.path("data").path("package").asText());
        assertEquals("package:rocket", reminder.path("data").path("target").asText());
        assertEquals("alert:stageWaiting:" + stage, reminder.path("dedupKey").asText());
        MimeMessage remindMail = mail("alice@example.com", "Reminder: rocket@1.1.0 has waited");
        assertThat(StageMailTest.dkimVerifies(keys, StageMailTest.raw(remindMail)))
                .isTrue();
        assertThat(String.valueOf(remindMail.getContent()))
                .contains("rocket@1.1.0 (tag latest) was staged by alice")
                .doesNotContain(stage);

        registry.clock.advance(Duration.ofMinutes(15));
        registry.airlock.alerts.evaluate();
        JsonNode escalation = webhook("alert.fired", "stageWaiting", "escalation");
        assertEquals("critical", escalation.path("severity").asText());
        assertEquals("alert:stageWaiting:" + stage, escalation.path("dedupKey").asText());
        for (String to : List.of("alice@example.com", "olga@example.com")) {
            MimeMessage mail = mail(to, "Escalation: rocket@1.1.0 has waited");
            assertThat(StageMailTest.dkimVerifies(keys, StageMailTest.raw(mail)))
                    .as("DKIM of the escalation to " + to)
                    .isTrue();
        }

        ok(alice.run(tmp, "stage", "approve", stage, "--otp=" + aliceApp.next()));
        registry.airlock.alerts.evaluate();
        JsonNode resolved = webhook("alert.resolved", "stageWaiting", "escalation");
        assertEquals("alert:stageWaiting:" + stage, resolved.path("dedupKey").asText());
        assertThat(resolved.path("data").path("resolution").asText()).isEqualTo("the stage was approved");
        assertThat(StageMailTest.dkimVerifies(keys, StageMailTest.raw(mail("olga@example.com", "Resolved: "))))
                .isTrue();
        assertThat(stageWaiting()).singleElement().satisfies(a -> assertEquals(Alert.RESOLVED, a.state()));
        long firedOrResolved = hook.received.stream()
                .map(r -> Json.parse(r.text()))
                .filter(b -> b.path("data").path("rule").asText().equals("stageWaiting"))
                .count();
        assertEquals(3, firedOrResolved, "one reminder, one escalation, one resolution");

        // a direct publish of a package without staging (policy allowed it): published without approval
        Path other = tmp.resolve("direct");
        Files2.write(other.resolve("package.json"), "{\"name\":\"direct-pkg\",\"version\":\"1.0.0\"}");
        Files2.write(other.resolve("index.js"), "module.exports = 2;\n");
        ok(alice.run(other, "publish", "--otp=" + aliceApp.next()));
        registry.airlock.alerts.evaluate();
        JsonNode direct = webhook("alert.fired", "publishedWithoutApproval", "alert");
        assertEquals("error", direct.path("severity").asText());
        assertEquals("direct-pkg@1.0.0", direct.path("data").path("case").asText());
        String alertId = direct.path("data").path("alert").asText();
        String listed = AirlockCommand.run(
                "", "alerts", "list", "--data", registry.dataDir.toString(), "--config", config.toString());
        assertThat(listed).startsWith("exit=0").contains(alertId).contains("publishedWithoutApproval");
        String out = AirlockCommand.run(
                "", "alerts", "resolve", alertId, "--data", registry.dataDir.toString(), "--config", config.toString());
        assertThat(out).startsWith("exit=0").contains("Resolved publishedWithoutApproval direct-pkg@1.0.0");
        assertEquals(Alert.RESOLVED, registry.airlock.alerts.find(alertId).state());
        assertThat(AirlockCommand.run("", "alerts", "resolve", alertId, "--data", registry.dataDir.toString()))
                .startsWith("exit=1")
                .contains("is already resolved");
        JsonNode closed = webhook("alert.resolved", "publishedWithoutApproval", "alert");
        assertEquals(
                "alert:publishedWithoutApproval:direct-pkg@1.0.0",
                closed.path("dedupKey").asText());
    }

    List<Alert> stageWaiting() {
        return registry.airlock.alerts.list(true).stream()
                .filter(a -> a.rule().equals("stageWaiting"))
                .toList();
    }

    void deliver() {
        registry.airlock.notifications.deliverDue();
    }

    /** The webhook message of this kind, rule and level (delivered now), its signature checked as a receiver would. */
    JsonNode webhook(String kind, String rule, String level) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            deliver();
            for (WebhookReceiver.Received r : new ArrayList<>(hook.received)) {
                JsonNode body = Json.parse(r.text());
                if (body.path("kind").asText().equals(kind)
                        && body.path("data").path("rule").asText().equals(rule)
                        && body.path("data").path("level").asText().equals(level)) {
                    assertSigned(r);
                    return body;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no " + kind + " " + rule + " " + level + " webhook; got " + hook.received.size());
    }

    /** Checks Airlock-Signature from the documented format (not with the server's code). */
    void assertSigned(WebhookReceiver.Received r) throws Exception {
        String header = r.header("Airlock-Signature");
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        long t = Long.parseLong(header.substring(2, header.indexOf(',')));
        assertThat(Math.abs(registry.clock.millis() / 1000 - t)).isLessThan(300);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.text()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, header.substring(header.indexOf("v1=") + 3));
    }

    /** The mail to {@code to} whose subject starts so (delivered now). */
    MimeMessage mail(String to, String subject) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            deliver();
            for (MimeMessage mm : smtp.getReceivedMessages()) {
                if (mm.getAllRecipients()[0].toString().equals(to)
                        && mm.getSubject().startsWith(subject)) {
                    return mm;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no mail to " + to + " starting " + subject);
    }
}
