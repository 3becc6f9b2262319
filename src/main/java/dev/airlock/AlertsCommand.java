package dev.airlock;

import dev.airlock.alerts.Alert;
import dev.airlock.shared.Actor;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code airlock alerts list|resolve}: the alerts the rules raised (docs/audit.md, "Alerts"). */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = "List alerts and resolve the ones that stay firing until an administrator closes them.",
        subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Resolve.class})
final class AlertsCommand {

    @Command(name = "list", description = "Firing alerts (with --all, resolved ones too), newest first.")
    static final class ListAlerts implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(names = "--all", description = "include resolved alerts")
        boolean all;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                List<Alert> alerts = airlock.alerts.list(all);
                System.out.println("ID\tRULE\tLEVEL\tSTATE\tFIRED_AT\tTARGET\tCASE");
                for (Alert a : alerts) {
                    System.out.println(a.id() + "\t" + a.rule() + "\t" + a.level() + "\t" + a.state() + "\t"
                            + Instant.ofEpochMilli(a.firedAt()) + "\t" + a.target() + "\t" + a.caseKey());
                }
                System.out.println(alerts.size() + " alert(s)");
            }
            return 0;
        }
    }

    @Command(name = "resolve", description = "Close a firing alert (audited as alert.resolve by @cli; notified).")
    static final class Resolve implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "ID", description = "the alert's id (alerts list)")
        String id;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                Alert a = airlock.alerts.resolve(Actor.operator(), id);
                System.out.println("Resolved " + a.rule() + " " + a.caseKey() + " (" + a.target() + ")");
            }
            return 0;
        }
    }
}
