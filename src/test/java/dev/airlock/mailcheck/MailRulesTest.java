package dev.airlock.mailcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict rules that the DNS zones of MailCheckIT do not reach, and the policy response parsing. */
class MailRulesTest {
    @Test
    void spfWithMoreThanTenLookupsWarnsAndTwoRecordsFail() {
        String many = "v=spf1 " + "include:a.example ".repeat(11) + "-all";
        assertThat(MailRules.spf("x.example", List.of(many)).verdict()).isEqualTo(Verdict.WARN);
        assertThat(MailRules.spf("x.example", List.of("v=spf1 " + "include:a.example ".repeat(10) + "-all"))
                        .verdict())
                .isEqualTo(Verdict.PASS);
        assertThat(MailRules.spf("x.example", List.of("v=spf1 -all", "v=spf1 mx -all"))
                        .found())
                .contains("2 SPF records");
        assertThat(MailRules.spf("x.example", List.of("v=spf1 mx ?all")).verdict())
                .isEqualTo(Verdict.FAIL);
        assertThat(MailRules.spf("x.example", List.of("v=spf1 mx")).verdict()).isEqualTo(Verdict.FAIL);
        assertThat(MailRules.spf("x.example", List.of("v=spf1 redirect=_spf.example"))
                        .verdict())
                .isEqualTo(Verdict.WARN);
        assertThat(MailRules.spf("x.example", List.of("google-site-verification=abc", "v=spf1 mx ~all"))
                        .verdict())
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void mxPatternsMatchOneWildcardLabel() {
        assertThat(MailRules.matches("*.example.com", "mx1.example.com")).isTrue();
        assertThat(MailRules.matches("*.example.com", "a.mx1.example.com")).isFalse();
        assertThat(MailRules.matches("*.example.com", "example.com")).isFalse();
        assertThat(MailRules.matches("MX.example.com", "mx.example.com")).isTrue();
    }

    @Test
    void aPolicyWithoutVersionOrWithModeNoneFails() {
        List<String> rec = List.of("v=STSv1; id=1");
        assertThat(MtaSts.verdict("d.example", rec, "mode: enforce\nmx: mx.d.example\n", null, List.of("mx.d.example"))
                        .found())
                .contains("no \"version: STSv1\"");
        assertThat(MtaSts.verdict(
                                "d.example",
                                rec,
                                "version: STSv1\nmode: none\nmx: mx.d.example\n",
                                null,
                                List.of("mx.d.example"))
                        .verdict())
                .isEqualTo(Verdict.FAIL);
        assertThat(MtaSts.verdict("d.example", List.of("v=STSv1"), null, null, List.of())
                        .found())
                .contains("has no id=");
    }

    @Test
    void chunkedAndRedirectedPolicyResponses() throws Exception {
        String chunked = String.join(
                "\r\n",
                "HTTP/1.1 200 OK",
                "Transfer-Encoding: chunked",
                "",
                "f",
                "version: STSv1\n",
                "e",
                "mode: enforce\n",
                "0",
                "",
                "");
        assertThat(PolicyFetch.response(new ByteArrayInputStream(chunked.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("version: STSv1\nmode: enforce\n");
        String redirect = "HTTP/1.1 301 Moved\r\nLocation: https://elsewhere/\r\n\r\n";
        try {
            PolicyFetch.response(new ByteArrayInputStream(redirect.getBytes(StandardCharsets.US_ASCII)));
            throw new AssertionError("a redirect was followed");
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).contains("HTTP 301").contains("redirects are not followed");
        }
    }
}
