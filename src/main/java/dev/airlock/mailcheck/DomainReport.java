package dev.airlock.mailcheck;

import java.util.List;

/**
 * The checks of one domain, and why it was checked: {@code sending} (the registry's own mail comes from it),
 * {@code maintainers} (how many maintainers receive mail there), {@code named} (given on the command line).
 */
public record DomainReport(String domain, String why, List<Check> checks) {
    public DomainReport {
        checks = List.copyOf(checks);
    }

    public Verdict verdict() {
        return checks.stream().map(Check::verdict).reduce(Verdict.PASS, Verdict::worst);
    }
}
