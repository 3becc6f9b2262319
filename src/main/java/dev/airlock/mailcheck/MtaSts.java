package dev.airlock.mailcheck;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MTA-STS verdict (RFC 8461): the {@code _mta-sts} TXT record with an id, the policy file over HTTPS with
 * {@code version: STSv1}, its mode ({@code enforce} passes, {@code testing} warns, {@code none} fails), and mx
 * patterns that cover every MX host of the domain (a mismatch would make senders refuse to deliver).
 */
final class MtaSts {
    private MtaSts() {}

    /**
     * @param txt the TXT records at {@code _mta-sts.<domain>}
     * @param policy the policy file's text, or null when it could not be fetched
     * @param fetchError why the policy could not be fetched (when {@code policy} is null)
     * @param mx the domain's MX hosts
     */
    static Check verdict(String domain, List<String> txt, String policy, String fetchError, List<String> mx) {
        String name = "_mta-sts." + domain;
        String url = "https://mta-sts." + domain + "/.well-known/mta-sts.txt";
        List<String> records = txt.stream()
                .filter(t -> t.toLowerCase(Locale.ROOT).startsWith("v=stsv1"))
                .toList();
        if (records.size() != 1) {
            return Check.fail(
                    "mta-sts",
                    records.isEmpty() ? "no MTA-STS record at " + name : records.size() + " MTA-STS records at " + name,
                    "publish one \"v=STSv1; id=<a new value each time the policy changes>\" at " + name
                            + " and serve the policy at " + url);
        }
        if (MailRules.tags(records.get(0)).getOrDefault("id", "").isEmpty()) {
            return Check.fail("mta-sts", records.get(0) + " has no id=", "add id=<version> to the record at " + name);
        }
        if (policy == null) {
            return Check.fail(
                    "mta-sts",
                    "the record is there but the policy at " + url + " could not be fetched: " + fetchError,
                    "serve the policy file at " + url + " over HTTPS with a certificate valid for mta-sts." + domain);
        }
        Map<String, List<String>> p = MailRules.policy(policy);
        if (!p.getOrDefault("version", List.of()).contains("STSv1")) {
            return Check.fail(
                    "mta-sts",
                    "the policy at " + url + " has no \"version: STSv1\"",
                    "start the policy with version: STSv1");
        }
        String mode = p.getOrDefault("mode", List.of("")).get(0).toLowerCase(Locale.ROOT);
        List<String> patterns = p.getOrDefault("mx", List.of());
        List<String> uncovered = mx.stream()
                .filter(h -> patterns.stream().noneMatch(pat -> MailRules.matches(pat, h)))
                .toList();
        if (mode.equals("none") || mode.isEmpty()) {
            return Check.fail(
                    "mta-sts",
                    "the policy's mode is " + (mode.isEmpty() ? "missing" : "none")
                            + ": senders may deliver without TLS",
                    "set mode: enforce in the policy at " + url + " (and change the record's id)");
        }
        if (!mode.equals("enforce") && !mode.equals("testing")) {
            return Check.fail("mta-sts", "the policy's mode \"" + mode + "\" is not valid", "set mode: enforce");
        }
        if (mx.isEmpty()) {
            return Check.warn(
                    "mta-sts", "mode " + mode + ", but " + domain + " has no MX record", "publish the MX records");
        }
        if (!uncovered.isEmpty()) {
            return Check.fail(
                    "mta-sts",
                    "the policy's mx patterns " + patterns + " do not cover the MX host(s) " + uncovered,
                    "list every MX host (or a *.domain pattern) as mx: lines in the policy at " + url);
        }
        if (mode.equals("testing")) {
            return Check.warn(
                    "mta-sts",
                    "mode testing: failures are only reported, mail is still delivered without TLS",
                    "set mode: enforce in the policy at " + url + " once TLS-RPT reports are clean");
        }
        return Check.pass("mta-sts", "mode enforce, mx " + String.join(", ", patterns) + " covers " + mx);
    }
}
