package dev.airlock.mailcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Browser;
import dev.airlock.testing.Dnsmasq;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestCertificates;
import dev.airlock.testing.TestRegistry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The mail-domain check against a real DNS server (dnsmasq on loopback) serving test zones, and a local HTTPS server
 * answering as {@code mta-sts.<zone>} with a certificate for those names: {@code good.test} has everything right,
 * {@code bad.test} has +all, p=none and no MTA-STS or TLS-RPT, {@code testing.test} has pct=50 and MTA-STS in testing
 * mode, {@code mismatch.test} enforces a policy whose mx patterns miss its MX host, {@code revoked.test} has a revoked
 * DKIM key, {@code empty.test} has no records at all. Checked through {@code ./airlock doctor mail} and the admins'
 * console page in real Chromium.
 */
class MailCheckIT {
    static final String KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtestkey";
    static Dnsmasq dns;
    static HttpsServer policies;
    static Path config;
    static TestRegistry registry;
    static ChromeDriver browser;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        TestCertificates.make(
                certs, "mta-sts.good.test", "mta-sts.testing.test", "mta-sts.mismatch.test", "mta-sts.bad.test");
        policies = policyServer(certs);
        dns = Dnsmasq.start(
                tmp,
                List.of("test"),
                List.of(
                        "--txt-record=good.test,v=spf1 mx ip4:192.0.2.10 -all",
                        "--txt-record=airlock._domainkey.good.test,v=DKIM1; k=rsa; p=" + KEY,
                        "--txt-record=_dmarc.good.test,v=DMARC1; p=reject; rua=mailto:dmarc@good.test",
                        "--txt-record=_mta-sts.good.test,v=STSv1; id=20261130",
                        "--txt-record=_smtp._tls.good.test,v=TLSRPTv1; rua=mailto:tls@good.test",
                        "--mx-host=good.test,mx1.good.test,10",
                        "--address=/mta-sts.good.test/127.0.0.1",
                        "--txt-record=bad.test,v=spf1 +all",
                        "--txt-record=_dmarc.bad.test,v=DMARC1; p=none",
                        "--mx-host=bad.test,mx.bad.test,10",
                        "--txt-record=testing.test,v=spf1 mx ~all",
                        "--txt-record=_dmarc.testing.test,v=DMARC1; p=quarantine; pct=50",
                        "--txt-record=_mta-sts.testing.test,v=STSv1; id=1",
                        "--txt-record=_smtp._tls.testing.test,v=TLSRPTv1; rua=mailto:tls@testing.test",
                        "--mx-host=testing.test,in1.testing.test,10",
                        "--address=/mta-sts.testing.test/127.0.0.1",
                        "--txt-record=mismatch.test,v=spf1 -all",
                        "--txt-record=_dmarc.mismatch.test,v=DMARC1; p=reject",
                        "--txt-record=_mta-sts.mismatch.test,v=STSv1; id=2",
                        "--txt-record=_smtp._tls.mismatch.test,v=TLSRPTv1; rua=mailto:tls@mismatch.test",
                        "--mx-host=mismatch.test,mail.elsewhere.test,10",
                        "--address=/mta-sts.mismatch.test/127.0.0.1",
                        "--txt-record=revoked.test,v=spf1 -all",
                        "--txt-record=airlock._domainkey.revoked.test,v=DKIM1; p="));
        config = tmp.resolve("airlock.yaml");
        Files.writeString(config, yaml(dns.server()));
        Map<String, String> settings = new HashMap<>(settings(dns.server()));
        registry = TestRegistry.start(settings);
    }

    static Map<String, String> settings(String dnsServer) {
        return Map.of(
                "mail.check.domain",
                "good.test",
                "mail.check.dkimSelector",
                "airlock",
                "mail.check.dnsServer",
                dnsServer,
                "mail.check.mtaStsPort",
                String.valueOf(policies.getAddress().getPort()),
                "mail.check.trustedCaFile",
                tmp.resolve("certs/ca.pem").toString(),
                "mail.check.timeoutSeconds",
                "2");
    }

    static String yaml(String dnsServer) {
        StringBuilder y = new StringBuilder("mail:\n  check:\n");
        settings(dnsServer)
                .forEach((k, v) -> y.append("    ")
                        .append(k.substring("mail.check.".length()))
                        .append(": \"")
                        .append(v)
                        .append("\"\n"));
        return y.toString();
    }

    /** Answers each mta-sts.<zone> host with that zone's policy (by the Host header, as a virtual host would). */
    static HttpsServer policyServer(Path certs) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.resolve("server.p12"))) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        Map<String, String> byHost = Map.of(
                "mta-sts.good.test", "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 604800\n",
                "mta-sts.testing.test", "version: STSv1\nmode: testing\nmx: *.testing.test\nmax_age: 86400\n",
                "mta-sts.mismatch.test", "version: STSv1\nmode: enforce\nmx: mx.mismatch.test\nmax_age: 86400\n");
        server.createContext("/.well-known/mta-sts.txt", ex -> {
            String host =
                    String.valueOf(ex.getRequestHeaders().getFirst("Host")).replaceFirst(":\\d+$", "");
            String policy = byHost.get(host);
            byte[] body = (policy == null ? "no policy here\n" : policy).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(policy == null ? 404 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server;
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (registry != null) {
            registry.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (policies != null) {
            policies.stop(0);
        }
    }

    static JsonNode json(String output) {
        return Json.parse(output.substring(output.indexOf('\n') + 1));
    }

    static Map<String, String> verdicts(JsonNode domain) {
        Map<String, String> out = new HashMap<>();
        domain.path("checks")
                .forEach(
                        c -> out.put(c.path("check").asText(), c.path("verdict").asText()));
        return out;
    }

    @Test
    void aDomainWithEverythingRightPasses() {
        String out = AirlockCommand.run("", "doctor", "mail", "--config", config.toString(), "--json", "good.test");
        assertThat(out).startsWith("exit=0\n");
        JsonNode d = json(out).path("domains").get(0);
        assertThat(d.path("why").asText()).isEqualTo("sending domain");
        assertThat(verdicts(d))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("spf", "pass", "dkim", "pass", "dmarc", "pass", "mta-sts", "pass", "tls-rpt", "pass"));
    }

    @Test
    void aDomainWithPlusAllPNoneAndNoMtaStsFailsWithWhatToFix() {
        String out = AirlockCommand.run("", "doctor", "mail", "--config", config.toString(), "bad.test");
        assertThat(out).startsWith("exit=1\n");
        assertThat(out)
                .contains("fail  SPF      v=spf1 +all — +all lets any host on the internet send as bad.test")
                .contains("fix: end the record with -all (or ~all)")
                .contains("fail  DMARC    v=DMARC1; p=none — p=none asks receivers to deliver spoofed mail anyway")
                .contains("fix: set p=quarantine or p=reject at _dmarc.bad.test")
                .contains("fail  MTA-STS  no MTA-STS record at _mta-sts.bad.test")
                .contains("fail  TLS-RPT  no TLS-RPT record at _smtp._tls.bad.test")
                .contains("4 checks failed");
        String json = AirlockCommand.run("", "doctor", "mail", "--config", config.toString(), "--json", "bad.test");
        assertThat(verdicts(json(json).path("domains").get(0)))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("spf", "fail", "dmarc", "fail", "mta-sts", "fail", "tls-rpt", "fail"));
    }

    @Test
    void partialDmarcAndMtaStsInTestingModeWarnWithoutFailing() {
        String out = AirlockCommand.run("", "doctor", "mail", "--config", config.toString(), "--json", "testing.test");
        assertThat(out).startsWith("exit=0\n");
        JsonNode root = json(out);
        assertThat(root.path("verdict").asText()).isEqualTo("warn");
        assertThat(verdicts(root.path("domains").get(0)))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("spf", "pass", "dmarc", "warn", "mta-sts", "warn", "tls-rpt", "pass"));
    }

    @Test
    void anEnforcedPolicyThatMissesTheMxHostFails() {
        String out = AirlockCommand.run("", "doctor", "mail", "--config", config.toString(), "mismatch.test");
        assertThat(out)
                .startsWith("exit=1\n")
                .contains("fail  MTA-STS  the policy's mx patterns [mx.mismatch.test] do not cover the MX host(s)"
                        + " [mail.elsewhere.test]");
    }

    @Test
    void aRevokedDkimKeyAndADomainWithNoRecordsFail() {
        String out = AirlockCommand.run(
                "", "doctor", "mail", "--config", config.toString(), "--json", "revoked.test", "empty.test");
        assertThat(out).startsWith("exit=1\n");
        JsonNode domains = json(out).path("domains");
        // revoked.test is named, not the sending domain: its DKIM is not checked unless it is the sending domain
        assertThat(verdicts(domains.get(0))).doesNotContainKey("dkim");
        assertThat(verdicts(domains.get(1)))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("spf", "fail", "dmarc", "fail", "mta-sts", "fail", "tls-rpt", "fail"));
        assertThat(domains.get(1).path("checks").get(0).path("found").asText())
                .isEqualTo("no SPF record (TXT v=spf1) at empty.test");

        Path revokedConfig = tmp.resolve("revoked.yaml");
        try {
            Files.writeString(revokedConfig, yaml(dns.server()).replace("good.test", "revoked.test"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String revoked = AirlockCommand.run("", "doctor", "mail", "--config", revokedConfig.toString(), "revoked.test");
        assertThat(revoked).contains("fail  DKIM     the key at airlock._domainkey.revoked.test is revoked (empty p=)");
    }

    @Test
    void aDnsServerThatDoesNotAnswerIsAVerdictNotACrash() throws Exception {
        int silent;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent = s.getLocalPort(); // bound but never answering while the check runs
            Path c = tmp.resolve("silent.yaml");
            Files.writeString(c, yaml("127.0.0.1:" + silent).replace("timeoutSeconds: \"2\"", "timeoutSeconds: \"1\""));
            String out = AirlockCommand.run("", "doctor", "mail", "--config", c.toString(), "good.test");
            assertThat(out)
                    .startsWith("exit=1\n")
                    .contains("fail  SPF      could not resolve good.test TXT through 127.0.0.1:" + silent)
                    .contains("fix: make sure the DNS server answers (mail.check.dnsServer)");
        }
    }

    @Test
    void withoutDomainsTheSendingDomainAndEveryMaintainersDomainAreChecked() throws Exception {
        registry.airlock.users.add(Actor.operator(), "bob", "bob@bad.test", "bob-password-long", false);
        registry.airlock.users.add(Actor.operator(), "carol", "carol@nowhere.test", "carol-password-long", false);
        registry.publishDirect(Tarballs.manifest("mailed", "1.0.0"));
        // carol maintains nothing: her domain is not checked
        String out = AirlockCommand.run(
                "", "doctor", "mail", "--config", config.toString(), "--data", registry.dataDir.toString(), "--json");
        JsonNode domains = json(out).path("domains");
        assertThat(out).startsWith("exit=1\n");
        assertThat(domains).hasSize(2);
        assertThat(domains.get(0).path("domain").asText()).isEqualTo("good.test");
        assertThat(domains.get(0).path("verdict").asText()).isEqualTo("pass");
        assertThat(domains.get(1).path("domain").asText()).isEqualTo("bad.test");
        assertThat(domains.get(1).path("why").asText()).isEqualTo("1 maintainer");
        assertThat(domains.get(1).path("verdict").asText()).isEqualTo("fail");

        consolePage();
    }

    /** The admins' page in Chromium: the same verdicts in a table; a non-admin gets 404 and no link. */
    void consolePage() throws Exception {
        registry.airlock.users.add(Actor.operator(), "root", "root@good.test", "root-password-long", true);
        browser = Browser.start(tmp.resolve("chromium"));
        signIn("carol", "carol-password-long");
        assertThat(browser.findElements(By.id("nav-mail"))).isEmpty();
        browser.get(registry.consoleUrl() + "-/console/admin/mail");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("There is no such page.");
        // the same request with carol's session, to see the status (the console's CSP stops scripts from fetching)
        String cookie = browser.manage().getCookieNamed("airlock-session").getValue();
        java.net.http.HttpResponse<String> asCarol = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(registry.consoleUrl() + "-/console/admin/mail"))
                                .header("Cookie", "airlock-session=" + cookie)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(asCarol.statusCode()).isEqualTo(404);
        assertThat(asCarol.body()).doesNotContain("run-check");

        signIn("root", "root-password-long");
        browser.findElement(By.id("nav-mail")).click();
        assertThat(browser.findElement(By.id("domains")).getText())
                .contains("good.test")
                .contains("sending domain")
                .contains("bad.test")
                .contains("1 maintainer");
        browser.findElement(By.id("run-check")).click();
        assertThat(browser.findElement(By.id("dns-server")).getText())
                .contains("DNS answers from " + dns.server())
                .contains("4 checks failed");
        Map<String, String> seen = new HashMap<>();
        for (var row : browser.findElements(By.cssSelector("table.mail-checks tr.check"))) {
            String domain = row.findElement(By.xpath("ancestor::table")).getAttribute("data-domain");
            seen.put(domain + " " + row.getAttribute("data-check"), row.getAttribute("data-verdict"));
        }
        assertThat(seen)
                .containsEntry("good.test spf", "pass")
                .containsEntry("good.test dkim", "pass")
                .containsEntry("good.test mta-sts", "pass")
                .containsEntry("bad.test spf", "fail")
                .containsEntry("bad.test dmarc", "fail")
                .containsEntry("bad.test mta-sts", "fail")
                .containsEntry("bad.test tls-rpt", "fail");
        assertThat(browser.findElement(By.cssSelector("table[data-domain='bad.test']"))
                        .getText())
                .contains("set p=quarantine or p=reject at _dmarc.bad.test");
        Browser.screenshot(browser, "admin-mail");
    }

    static void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(registry.consoleUrl() + "-/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains(user);
    }
}
