package dev.airlock;

import dev.airlock.shared.Actor;
import dev.airlock.twofactor.PendingReset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./airlock user reset-2fa} and {@code ./airlock user cancel-2fa-reset} (docs/recovery.md). */
final class ResetCommands {
    private ResetCommands() {}

    @Command(
            name = "reset-2fa",
            description = "Reset a user's second factor after the waiting period (twofactor.resetDelay, default"
                    + " 72 hours), during which the user and their org owners are told and can cancel it.")
    static final class Reset2fa implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", description = "user name")
        String name;

        @Option(
                names = "--reason",
                required = true,
                description = "why (e.g. the ticket of the identity check); the user and org owners read it")
        String reason;

        @Option(
                names = "--requested-by",
                description = "the administrator asking, as the notices and the audit log name them"
                        + " (default: the operator account running this command)")
        String requestedBy;

        @Override
        public Integer call() {
            String by = requestedBy != null ? requestedBy : "operator " + System.getProperty("user.name", "unknown");
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                PendingReset r = airlock.resets.request(Actor.operator(), name, reason, by);
                System.out.println("Second-factor reset of " + r.user() + " requested: it takes effect at "
                        + r.effective() + " unless cancelled.");
                System.out.println("Until then " + r.user() + " cannot approve releases, create tokens or change"
                        + " policies. The user and the owners of their orgs are notified and can cancel it in the"
                        + " console; you can with ./airlock user cancel-2fa-reset " + r.user() + ".");
            }
            return 0;
        }
    }

    @Command(name = "cancel-2fa-reset", description = "Cancel a user's pending second-factor reset.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", description = "user name")
        String name;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                PendingReset r = airlock.resets.cancel(Actor.operator(), name);
                System.out.println("Cancelled the second-factor reset of " + r.user() + " (it would have taken effect"
                        + " at " + r.effective() + ").");
            }
            return 0;
        }
    }
}
