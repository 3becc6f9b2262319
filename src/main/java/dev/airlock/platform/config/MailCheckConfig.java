package dev.airlock.platform.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mail.check.*} (docs/mail-check.md): the mail-domain check's sending domain, DNS server, DKIM selector, and
 * how it reaches MTA-STS policy servers. Parsed here so {@link ConfigLoader} only delegates.
 *
 * @param domain the registry's sending domain (default: the domain of {@code notifications.smtp.from}; empty if none)
 * @param dnsServer {@code host} or {@code host:port} ({@code [v6]:port}); empty = the system's resolver
 * @param dkimSelector the selector whose key is checked (default: {@code notifications.dkim.selector})
 * @param mtaStsPort the HTTPS port of {@code mta-sts.<domain>} (443; tests point it at a local server)
 * @param trustedCaFile a PEM CA certificate trusted for policy servers besides the JDK's trust store (empty: none)
 * @param timeoutSeconds the bound on each DNS query and on each policy fetch
 */
public record MailCheckConfig(
        String domain,
        String dnsServer,
        String dkimSelector,
        int mtaStsPort,
        String trustedCaFile,
        int timeoutSeconds) {

    /** For configurations built without {@code mail.check.*}: the system resolver, port 443, no sending domain. */
    public static final MailCheckConfig DEFAULT = new MailCheckConfig("", "", "", 443, "", 5);

    public MailCheckConfig {
        domain = domain.trim().toLowerCase(Locale.ROOT);
        if (mtaStsPort < 1 || mtaStsPort > 65535) {
            throw new IllegalArgumentException("mail.check.mtaStsPort must be 1..65535");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 120) {
            throw new IllegalArgumentException("mail.check.timeoutSeconds must be 1..120");
        }
        if (!dnsServer.isEmpty() && !dnsServer.matches("[A-Za-z0-9.-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
            throw new IllegalArgumentException(
                    "mail.check.dnsServer must be a host or host:port (an IPv6 address in brackets), got \"" + dnsServer
                            + "\"");
        }
    }

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("mail.check.domain", "");
        d.put("mail.check.dnsServer", "");
        d.put("mail.check.dkimSelector", "");
        d.put("mail.check.mtaStsPort", "443");
        d.put("mail.check.trustedCaFile", "");
        d.put("mail.check.timeoutSeconds", "5");
        return d;
    }

    static MailCheckConfig from(Map<String, String> v) {
        String domain = v.get("mail.check.domain").trim();
        String from = v.get("notifications.smtp.from").trim();
        if (domain.isEmpty() && from.contains("@")) {
            domain = from.substring(from.lastIndexOf('@') + 1).replaceAll("[>\\s]", "");
        }
        String selector = v.get("mail.check.dkimSelector").trim();
        if (selector.isEmpty()) {
            selector = v.get("notifications.dkim.selector").trim();
        }
        return new MailCheckConfig(
                domain,
                v.get("mail.check.dnsServer").trim(),
                selector,
                num(v, "mail.check.mtaStsPort"),
                v.get("mail.check.trustedCaFile").trim(),
                num(v, "mail.check.timeoutSeconds"));
    }

    private static int num(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got \"" + v.get(key) + "\"");
        }
    }
}
