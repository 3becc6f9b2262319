package dev.airlock.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.packages.NewVersion;
import dev.airlock.shared.Actor;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Services;
import dev.airlock.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mail goes out over STARTTLS to a real SMTP server that requires it (Debian's python3-aiosmtpd with a certificate
 * from a test CA, {@code notifications.smtp.caFile}), and arrives DKIM-signed (checked by python3-dkim). A server whose
 * certificate the CA did not sign gets nothing: the delivery fails and is retried later.
 */
class StartTlsMailTest {
    static final String SERVER = """
            import sys, ssl, os, asyncio
            from aiosmtpd.controller import Controller
            port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            class Handler:
                n = 0
                async def handle_DATA(self, server, session, envelope):
                    Handler.n += 1
                    p = os.path.join(out, "%d.eml" % Handler.n)
                    with open(p + ".tls", "w") as f:
                        f.write("tls" if session.ssl is not None else "plain")
                    with open(p + ".tmp", "wb") as f:
                        f.write(envelope.original_content)
                    os.rename(p + ".tmp", p)
                    return "250 OK"
            c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True)
            c.start()
            print("ready", flush=True)
            sys.stdin.read()
            c.stop()
            """;

    Path dir;
    Path received;
    Process server;
    Services s;
    Map<String, String> cfg = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("starttls");
        received = Files.createDirectory(dir.resolve("received"));
        TestCertificates.make(dir);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(dir.resolve("server.py"), SERVER);
        // Debian's interpreter, where python3-aiosmtpd and python3-dkim install (a pyenv python3 may lack them)
        String python = python();
        server = new ProcessBuilder(
                        python,
                        dir.resolve("server.py").toString(),
                        String.valueOf(port),
                        dir.resolve("cert.pem").toString(),
                        dir.resolve("key.pem").toString(),
                        received.toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("aiosmtpd started (is python3-aiosmtpd installed?)").isEqualTo("ready");

        Path pem = StageMailTest.dkimKeys(dir);

        cfg.put("notifications.smtp.host", "localhost"); // the name the certificate carries
        cfg.put("notifications.smtp.port", String.valueOf(port));
        cfg.put("notifications.smtp.from", "airlock@example.org");
        cfg.put("notifications.smtp.caFile", dir.resolve("ca.pem").toString());
        cfg.put("notifications.dkim.domain", "example.org");
        cfg.put("notifications.dkim.selector", "airlock2026");
        cfg.put("notifications.dkim.privateKeyFile", pem.toString());
        // starttls stays at its default: required
        s = Services.start(cfg);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (s != null) {
            s.close();
        }
        server.getOutputStream().close();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
        Files2.deleteTree(dir);
    }

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    List<Path> mails() throws Exception {
        try (Stream<Path> files = Files.list(received)) {
            return files.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
        }
    }

    @Test
    void mailGoesOutOverStartTlsSignedWithDkimAndIsVerifiedByAnotherImplementation() throws Exception {
        assertEquals("required", s.airlock.config.notifications().smtp().starttls(), "the default");
        Actor alice = s.user("alice");
        NewVersion first = s.publish(alice, "widget", "1.0.0");
        assertThat(first.version()).isEqualTo("1.0.0");
        s.stage(alice, "widget", "1.1.0");
        assertEquals(1, s.airlock.notifications.deliverDue(), "one mail to the one approver");

        List<Path> mails = mails();
        assertEquals(1, mails.size());
        assertEquals("tls", Files.readString(Path.of(mails.get(0) + ".tls")), "sent after STARTTLS");
        String raw = Files.readString(mails.get(0), StandardCharsets.UTF_8);
        assertThat(raw).contains("Subject: Staged for approval: widget@1.1.0").contains("DKIM-Signature:");
        assertThat(StageMailTest.dkimVerifies(dir, raw)).isTrue();
    }

    @Test
    void aServerTheConfiguredCaDidNotSignGetsNothing() throws Exception {
        s.close();
        // trust another CA: the server's certificate no longer verifies, so nothing is sent in clear or otherwise
        Path other = Files.createDirectory(dir.resolve("other"));
        TestCertificates.make(other);
        cfg.put("notifications.smtp.caFile", other.resolve("ca.pem").toString());
        s = Services.start(cfg);
        Actor alice = s.user("alice");
        s.publish(alice, "widget", "1.0.0");
        s.stage(alice, "widget", "1.1.0");
        assertEquals(1, s.airlock.notifications.deliverDue(), "one attempt");
        assertThat(mails()).isEmpty();
        s.airlock.users.add(Actor.operator(), "root", "root@example.com", "root-password-long", true);
        assertThat(s.airlock.notifications.recent(Services.session("root"), 10))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.status()).isNotEqualTo("delivered");
                    assertThat(d.lastError()).containsIgnoringCase("cert");
                });
    }
}
