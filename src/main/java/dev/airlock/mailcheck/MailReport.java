package dev.airlock.mailcheck;

import java.util.List;

/** Every domain checked, with the DNS server asked ({@code system resolver} when none is configured). */
public record MailReport(String dnsServer, List<DomainReport> domains) {
    public MailReport {
        domains = List.copyOf(domains);
    }

    public Verdict verdict() {
        return domains.stream().map(DomainReport::verdict).reduce(Verdict.PASS, Verdict::worst);
    }

    public long failures() {
        return domains.stream()
                .flatMap(d -> d.checks().stream())
                .filter(c -> c.verdict() == Verdict.FAIL)
                .count();
    }
}
