package dev.airlock.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.airlock.packages.NewVersion;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.staging.Stage;
import dev.airlock.testing.Services;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Staging a version mails the package's approvers through a real SMTP server (GreenMail), DKIM-signed; the signature
 * is checked by an independent verifier (Debian's python3-dkim, given the public key through its DNS hook), and a
 * configured webhook receives {@code stage.created}.
 */
public class StageMailTest {
    static final String VERIFY = """
            import sys, dkim
            key = open(sys.argv[1]).read().strip()
            def dns(name, timeout=5):
                if name == b"airlock2026._domainkey.example.org.":
                    return ("v=DKIM1; k=rsa; p=" + key).encode()
                return None
            ok = dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns)
            print("pass" if ok else "fail")
            sys.exit(0 if ok else 1)
            """;
    GreenMail smtp;
    WebhookReceiver hook;
    Services s;
    Path dir;
    Path publicKey;

    @BeforeEach
    void setUp() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        hook = new WebhookReceiver();
        dir = Files.createTempDirectory("dkim");
        Path pem = dkimKeys(dir);
        publicKey = dir.resolve("dkim.pub");
        Map<String, String> cfg = new HashMap<>();
        cfg.put("notifications.smtp.host", "127.0.0.1");
        cfg.put("notifications.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        // GreenMail offers no STARTTLS: upgrade when offered (production default: required)
        cfg.put("notifications.smtp.starttls", "optional");
        cfg.put("notifications.smtp.from", "airlock@example.org");
        cfg.put("notifications.dkim.domain", "example.org");
        cfg.put("notifications.dkim.selector", "airlock2026");
        cfg.put("notifications.dkim.privateKeyFile", pem.toString());
        cfg.put("notifications.webhooks.1.name", "chat");
        cfg.put("notifications.webhooks.1.url", hook.url());
        cfg.put("notifications.webhooks.1.secret", "0123456789abcdef0123");
        cfg.put("notifications.webhooks.1.events", "stage.*");
        s = Services.start(cfg);
    }

    @AfterEach
    void tearDown() throws Exception {
        s.close();
        hook.close();
        smtp.stop();
        dev.airlock.testing.Files2.deleteTree(dir);
    }

    /**
     * Makes a DKIM key pair in {@code dir}: the private key as {@code dkim.pem} (returned; for
     * notifications.dkim.privateKeyFile) and the public key as {@code dkim.pub} (for {@link #dkimVerifies}).
     */
    public static Path dkimKeys(Path dir) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair pair = gen.generateKeyPair();
        Path pem = dir.resolve("dkim.pem");
        Files.writeString(
                pem,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(pair.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(
                dir.resolve("dkim.pub"),
                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        return pem;
    }

    public static String raw(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The independent verifier's verdict on the raw message. */
    boolean dkimVerifies(String raw) throws Exception {
        return dkimVerifies(dir, raw);
    }

    /** The independent verifier's verdict, with the public key {@link #dkimKeys} wrote in {@code dir}. */
    public static boolean dkimVerifies(Path dir, String raw) throws Exception {
        Path publicKey = dir.resolve("dkim.pub");
        Path script = dir.resolve("verify.py");
        Files.writeString(script, VERIFY);
        // Debian's interpreter, where the python3-dkim package installs (a pyenv python3 on PATH lacks it)
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(python, script.toString(), publicKey.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).as(out).isIn("pass", "fail");
        return p.exitValue() == 0;
    }

    @Test
    void stagingMailsEachApproverASignedMailWithTheirPhraseAndNoWayToApprove() throws Exception {
        Actor alice = s.user("alice");
        Actor bob = s.user("bob");
        s.user("carol");
        NewVersion first = s.publish(alice, "widget", "1.0.0");
        assertThat(first.version()).isEqualTo("1.0.0");
        s.airlock
                .packageUseCases
                .ownership()
                .setMaintainers(Actor.operator(), PackageName.parse("widget"), null, List.of("alice", "bob"));
        s.airlock.notifications.setPhrase(bob, "purple otters juggle");

        Stage st = s.stage(alice, "widget", "1.1.0");
        assertEquals(3, s.airlock.notifications.deliverDue(), "two mails and one webhook");

        MimeMessage[] mails = smtp.getReceivedMessages();
        assertEquals(2, mails.length);
        Map<String, String> byRecipient = new HashMap<>();
        for (MimeMessage m : mails) {
            byRecipient.put(m.getAllRecipients()[0].toString(), raw(m));
            assertEquals("Staged for approval: widget@1.1.0", m.getSubject());
        }
        assertThat(byRecipient).containsOnlyKeys("alice@example.com", "bob@example.com");
        String toBob = byRecipient.get("bob@example.com");
        String toAlice = byRecipient.get("alice@example.com");
        assertThat(toBob).contains("DKIM-Signature:").contains("d=example.org").contains("s=airlock2026");
        assertThat(dkimVerifies(toBob)).isTrue();
        assertThat(dkimVerifies(toAlice)).isTrue();
        assertThat(dkimVerifies(toBob.replace("widget@1.1.0 (tag", "widget@6.6.6 (tag")))
                .as("a changed body fails verification")
                .isFalse();

        String bobText = text(mails, "bob@example.com");
        assertThat(bobText)
                .contains("widget@1.1.0 (tag latest) was staged by alice")
                .contains("Your anti-phishing phrase: purple otters juggle")
                .contains("Approval happens only in the Airlock console, after you sign in with your second factor")
                .doesNotContain(st.id());
        assertThat(text(mails, "alice@example.com"))
                .contains("You have not set an anti-phishing phrase")
                .doesNotContain("purple otters");
        // nothing in a mail approves: no stage id, no approve path, no link other than the console's own address
        assertThat(bobText.replace(s.airlock.config.server().consoleUrl() + "/-/console", ""))
                .doesNotContainIgnoringCase("http")
                .doesNotContainIgnoringCase("/approve");

        assertEquals(1, hook.received.size());
        JsonNode body = Json.parse(hook.received.get(0).body());
        assertEquals("stage.created", body.path("kind").asText());
        assertEquals(st.id(), body.path("data").path("stage").asText());
        assertEquals("widget", body.path("data").path("package").asText());
        assertEquals("1.1.0", body.path("data").path("version").asText());
        assertEquals("alice", body.path("data").path("stagedBy").asText());
    }

    static String text(MimeMessage[] mails, String to) throws Exception {
        for (MimeMessage m : mails) {
            if (m.getAllRecipients()[0].toString().equals(to)) {
                return String.valueOf(m.getContent()).replace("\r\n", "\n");
            }
        }
        throw new AssertionError("no mail to " + to);
    }
}
