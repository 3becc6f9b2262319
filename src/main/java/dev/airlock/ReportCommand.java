package dev.airlock;

import dev.airlock.adoption.AdoptionReport;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code airlock report adoption [--org O] [--json]}: how far orgs have adopted 2FA and staging (docs/adoption.md). */
@Command(
        name = "report",
        description = "Reports for security teams.",
        subcommands = {ReportCommand.Adoption.class})
final class ReportCommand {

    @Command(
            name = "adoption",
            description = "Members without 2FA, TOTP only versus security keys, packages without staging required,"
                    + " tokens that bypass 2FA, trusted publishers, and releases of the last 30 days published"
                    + " without approval; for one org, or every org and the users outside them.")
    static final class Adoption implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(names = "--org", description = "report on this org only")
        String org;

        @Option(names = "--json", description = "print JSON (one object with --org, else an array)")
        boolean json;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                List<AdoptionReport> reports = org != null
                        ? List.of(airlock.adoption.report(Actor.operator(), org))
                        : airlock.adoption.all(Actor.operator());
                if (json) {
                    System.out.println(Json.write(org != null ? reports.get(0) : reports));
                } else {
                    reports.forEach(r -> print(r, System.out));
                }
            }
            return 0;
        }
    }

    static void print(AdoptionReport r, PrintStream out) {
        AdoptionReport.Summary s = r.summary();
        out.println(r.org() == null ? "Users and packages outside every org" : "Org " + r.org());
        out.println("  Members (" + s.members() + "): " + s.membersWithout2fa() + " without 2FA, " + s.membersTotpOnly()
                + " with TOTP only, " + s.membersWithSecurityKey() + " with a security key");
        for (AdoptionReport.Member m : r.members()) {
            String how = switch (m.twoFactor()) {
                case AdoptionReport.Member.NONE -> "NO 2FA";
                case AdoptionReport.Member.TOTP_ONLY -> "TOTP only";
                default -> m.securityKeys() + " security key(s)" + (m.totp() ? " + TOTP" : "");
            };
            out.printf("    %-24s %-8s %s%n", m.name(), m.role() == null ? "" : m.role(), how);
        }
        out.println("  Packages (" + s.packages() + "): " + s.packagesWithoutStaging() + " without staging required, "
                + s.trustedPublishers() + " with a trusted publisher");
        for (AdoptionReport.PackageRow p : r.packages()) {
            String tp = p.trustedPublisher() == null
                    ? ""
                    : "  trusted publisher: " + p.trustedPublisher().type() + " "
                            + p.trustedPublisher().claims().entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .collect(Collectors.joining(" "))
                            + " (" + String.join(", ", p.trustedPublisher().allows()) + ")";
            out.printf(
                    "    %-32s %s (%s)  mfa=%s%s%n",
                    p.name(),
                    p.stagingRequired() ? "staging required" : "STAGING NOT REQUIRED",
                    p.stagingSetBy(),
                    p.mfa(),
                    tp);
        }
        out.println("  Tokens that bypass 2FA (" + s.bypassTokens() + ")");
        for (AdoptionReport.BypassToken t : r.bypassTokens()) {
            out.printf(
                    "    %-24s %-20s %s  %s  last used %s%n",
                    t.user(),
                    t.name() == null ? "(no name)" : t.name(),
                    t.id(),
                    t.readonly() ? "read-only" : "read-write",
                    t.lastUsed() == null ? "never" : t.lastUsed() + " from " + t.lastUsedFrom());
        }
        out.println("  Releases of the last 30 days published without approval (" + s.unapprovedReleases() + ")");
        for (AdoptionReport.Release v : r.unapprovedReleases()) {
            out.printf(
                    "    %-40s %s  by %s via %s%s%n",
                    v.pkg() + "@" + v.version(),
                    v.publishedAt(),
                    v.publishedBy(),
                    v.via(),
                    v.bypass2fa() ? " (token bypassing 2FA)" : "");
        }
        out.println();
    }
}
