package dev.airlock.mailcheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict rules of each check, applied to what DNS and the policy server answered (no I/O here). The fixes are
 * sentences an operator can act on; docs/mail-check.md explains each rule.
 */
final class MailRules {
    private MailRules() {}

    /** SPF (RFC 7208): one {@code v=spf1} record ending in {@code -all} or {@code ~all}, at most 10 DNS lookups. */
    static Check spf(String domain, List<String> txt) {
        List<String> spf = txt.stream()
                .filter(t -> t.toLowerCase(Locale.ROOT).matches("v=spf1(\\s.*)?"))
                .toList();
        String example = "publish one TXT record at " + domain + " such as \"v=spf1 mx -all\" (the hosts that send"
                + " its mail, then -all)";
        if (spf.isEmpty()) {
            return Check.fail("spf", "no SPF record (TXT v=spf1) at " + domain, example);
        }
        if (spf.size() > 1) {
            return Check.fail(
                    "spf",
                    spf.size() + " SPF records at " + domain + " (receivers treat that as an error)",
                    "merge them into one TXT record starting with v=spf1");
        }
        String record = spf.get(0);
        String[] terms = record.trim().split("\\s+");
        String last = terms[terms.length - 1].toLowerCase(Locale.ROOT);
        int lookups = 0;
        boolean redirect = false;
        for (String t : terms) {
            String m = t.toLowerCase(Locale.ROOT).replaceFirst("^[+~?-]", "");
            if (m.startsWith("include:")
                    || m.equals("a")
                    || m.startsWith("a:")
                    || m.startsWith("a/")
                    || m.equals("mx")
                    || m.startsWith("mx:")
                    || m.startsWith("mx/")
                    || m.equals("ptr")
                    || m.startsWith("ptr:")
                    || m.startsWith("exists:")
                    || m.startsWith("redirect=")) {
                lookups++;
            }
            redirect |= m.startsWith("redirect=");
        }
        if (last.equals("+all") || last.equals("all")) {
            return Check.fail(
                    "spf",
                    record + " — +all lets any host on the internet send as " + domain,
                    "end the record with -all (or ~all)");
        }
        if (last.equals("?all")) {
            return Check.fail(
                    "spf", record + " — ?all is neutral: it vouches for nothing", "end the record with -all (or ~all)");
        }
        if (!last.equals("-all") && !last.equals("~all")) {
            if (redirect) {
                return Check.warn(
                        "spf",
                        record + " — its policy comes from a redirect= the check does not follow",
                        "make sure the redirected record ends in -all or ~all");
            }
            return Check.fail("spf", record + " — it does not end in -all or ~all", "end the record with -all");
        }
        if (lookups > 10) {
            return Check.warn(
                    "spf",
                    record + " — " + lookups + " mechanisms need DNS lookups (the limit is 10, before counting nested"
                            + " includes)",
                    "flatten includes so evaluating the record takes at most 10 lookups");
        }
        return Check.pass("spf", record);
    }

    /** DKIM: a key at {@code <selector>._domainkey.<domain>}; an empty {@code p=} means the key was revoked. */
    static Check dkim(String domain, String selector, List<String> txt) {
        String name = selector + "._domainkey." + domain;
        List<Map<String, String>> keys = txt.stream()
                .map(MailRules::tags)
                .filter(t -> t.containsKey("p"))
                .toList();
        if (keys.isEmpty()) {
            return Check.fail(
                    "dkim",
                    "no DKIM key (TXT with p=) at " + name,
                    "publish the public key of the signing key as \"v=DKIM1; k=rsa; p=…\" at " + name);
        }
        if (keys.get(0).get("p").isEmpty()) {
            return Check.fail(
                    "dkim",
                    "the key at " + name + " is revoked (empty p=)",
                    "publish the current public key, or set mail.check.dkimSelector to the selector in use");
        }
        return Check.pass("dkim", "a " + keys.get(0).getOrDefault("k", "rsa") + " key is published at " + name);
    }

    /** DMARC (RFC 7489): {@code p=quarantine} or {@code p=reject} at {@code _dmarc.<domain>}; {@code pct<100} warns. */
    static Check dmarc(String domain, List<String> txt) {
        String name = "_dmarc." + domain;
        List<String> records = txt.stream()
                .filter(t -> t.toLowerCase(Locale.ROOT).matches("v\\s*=\\s*dmarc1\\s*(;.*)?"))
                .toList();
        String fix = "publish \"v=DMARC1; p=reject; rua=mailto:dmarc@" + domain + "\" (or p=quarantine) at " + name;
        if (records.isEmpty()) {
            return Check.fail(
                    "dmarc", "no DMARC record at " + name + ": receivers deliver mail that fails SPF and DKIM", fix);
        }
        if (records.size() > 1) {
            return Check.fail("dmarc", records.size() + " DMARC records at " + name + " (ignored)", "keep one: " + fix);
        }
        Map<String, String> t = tags(records.get(0));
        String p = t.getOrDefault("p", "").toLowerCase(Locale.ROOT);
        if (!p.equals("quarantine") && !p.equals("reject")) {
            return Check.fail(
                    "dmarc",
                    records.get(0) + " — p=" + (p.isEmpty() ? "(missing)" : p)
                            + " asks receivers to deliver spoofed mail anyway",
                    "set p=quarantine or p=reject at " + name);
        }
        String pct = t.getOrDefault("pct", "100");
        if (!pct.equals("100")) {
            return Check.warn(
                    "dmarc",
                    records.get(0) + " — pct=" + pct + " applies the policy to only part of the failing mail",
                    "remove pct (or set pct=100) at " + name);
        }
        return Check.pass("dmarc", records.get(0));
    }

    /** TLS-RPT (RFC 8460): {@code v=TLSRPTv1; rua=…} at {@code _smtp._tls.<domain>}. */
    static Check tlsRpt(String domain, List<String> txt) {
        String name = "_smtp._tls." + domain;
        List<String> records = txt.stream()
                .filter(t -> t.toLowerCase(Locale.ROOT).startsWith("v=tlsrptv1"))
                .toList();
        String fix = "publish \"v=TLSRPTv1; rua=mailto:tls-reports@" + domain + "\" at " + name;
        if (records.size() != 1) {
            return Check.fail(
                    "tls-rpt",
                    records.isEmpty() ? "no TLS-RPT record at " + name : records.size() + " TLS-RPT records at " + name,
                    fix);
        }
        if (tags(records.get(0)).getOrDefault("rua", "").isEmpty()) {
            return Check.fail("tls-rpt", records.get(0) + " — no rua= (where reports go)", fix);
        }
        return Check.pass("tls-rpt", records.get(0));
    }

    /** {@code k=v; k=v} tags (DKIM, DMARC, MTA-STS, TLS-RPT records), keys lower case, values trimmed. */
    static Map<String, String> tags(String record) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(
                        part.substring(0, eq).trim().toLowerCase(Locale.ROOT),
                        part.substring(eq + 1).trim().replaceAll("\\s+", ""));
            }
        }
        return out;
    }

    /** MTA-STS policy lines ({@code key: value}); {@code mx} may repeat. */
    static Map<String, List<String>> policy(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /** Whether {@code host} matches a policy mx pattern: exact, or {@code *.example.com} for one more label. */
    static boolean matches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
        }
        return p.equals(h);
    }
}
