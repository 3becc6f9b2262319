package dev.airlock;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.mailcheck.Check;
import dev.airlock.mailcheck.DomainReport;
import dev.airlock.mailcheck.MailCheckService;
import dev.airlock.mailcheck.MailReport;
import dev.airlock.mailcheck.Verdict;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock doctor mail [DOMAIN…]}: SPF, DKIM, DMARC, MTA-STS and TLS-RPT of the registry's sending domain and
 * every maintainer's mail domain, or of the domains named (docs/mail-check.md). Exit 1 when any check fails.
 */
@Command(
        name = "mail",
        description = "Check the mail domains approvers receive notices from and at (SPF, DKIM, DMARC, MTA-STS,"
                + " TLS-RPT). Exit status 1 when a check fails.")
final class MailDoctorCommand implements Callable<Integer> {
    @Mixin
    Airlock.Common common;

    @Parameters(
            arity = "0..*",
            paramLabel = "DOMAIN",
            description = "domains to check (default: the sending domain and every maintainer's mail domain)")
    List<String> domains = List.of();

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() {
        AirlockConfig config = common.load();
        MailReport report;
        if (!domains.isEmpty()) {
            report = MailCheckService.withoutDatabase(config.mailCheck()).check(domains);
        } else {
            try (Database db = Database.open(config.database())) {
                MailCheckService service = MailCheckService.create(config.mailCheck(), db);
                if (service.domains().isEmpty()) {
                    throw new IllegalArgumentException("there is no domain to check: no sending domain is configured"
                            + " (notifications.smtp.from or mail.check.domain) and no maintainer has a mail address;"
                            + " name domains: airlock doctor mail example.com");
                }
                report = service.check(List.of());
            }
        }
        System.out.print(json ? json(report) : human(report));
        System.out.flush();
        return report.verdict() == Verdict.FAIL ? 1 : 0;
    }

    static String human(MailReport report) {
        StringBuilder out = new StringBuilder("Mail-domain check (DNS: " + report.dnsServer() + ")\n");
        for (DomainReport d : report.domains()) {
            out.append('\n')
                    .append(d.domain())
                    .append("  (")
                    .append(d.why())
                    .append(")  ")
                    .append(d.verdict().name())
                    .append('\n');
            for (Check c : d.checks()) {
                out.append(String.format("  %-4s  %-8s %s%n", c.verdict().label(), c.title(), c.found()));
                if (c.fix() != null) {
                    out.append(String.format("                 fix: %s%n", c.fix()));
                }
            }
        }
        long failed = report.failures();
        out.append('\n')
                .append(
                        failed == 0
                                ? "No check failed."
                                : failed + (failed == 1 ? " check failed" : " checks failed")
                                        + ": spoofed or downgraded mail could reach approvers. Fix the above.")
                .append('\n');
        return out.toString();
    }

    static String json(MailReport report) {
        ObjectNode root = Json.object();
        root.put("verdict", report.verdict().label());
        root.put("dnsServer", report.dnsServer());
        ArrayNode list = root.putArray("domains");
        for (DomainReport d : report.domains()) {
            ObjectNode o = list.addObject();
            o.put("domain", d.domain());
            o.put("why", d.why());
            o.put("verdict", d.verdict().label());
            ArrayNode checks = o.putArray("checks");
            for (Check c : d.checks()) {
                checks.addObject()
                        .put("check", c.name())
                        .put("verdict", c.verdict().label())
                        .put("found", c.found())
                        .put("fix", c.fix());
            }
        }
        return Json.write(root) + "\n";
    }
}
