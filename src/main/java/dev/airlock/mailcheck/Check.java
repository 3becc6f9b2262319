package dev.airlock.mailcheck;

/**
 * One check of one domain: its name ({@code spf}, {@code dkim}, {@code dmarc}, {@code mta-sts}, {@code tls-rpt}),
 * the verdict, what was found (a sentence), and what to fix (null when it passed).
 */
public record Check(String name, Verdict verdict, String found, String fix) {
    static Check pass(String name, String found) {
        return new Check(name, Verdict.PASS, found, null);
    }

    static Check warn(String name, String found, String fix) {
        return new Check(name, Verdict.WARN, found, fix);
    }

    static Check fail(String name, String found, String fix) {
        return new Check(name, Verdict.FAIL, found, fix);
    }

    /** The name as people write it: SPF, DKIM, DMARC, MTA-STS, TLS-RPT. */
    public String title() {
        return name.toUpperCase(java.util.Locale.ROOT);
    }
}
