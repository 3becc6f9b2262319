package dev.airlock;

import dev.airlock.deprovisioning.DeprovisioningService;
import dev.airlock.shared.Actor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ./airlock user deactivate} and {@code ./airlock user reactivate} (docs/deprovisioning.md). */
final class DeprovisioningCommands {
    private DeprovisioningCommands() {}

    @Command(
            name = "deactivate",
            description = "Someone left: the account can no longer sign in, every token and session is revoked, and"
                    + " it leaves every org and team. Published versions and the audit history stay.")
    static final class Deactivate implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", description = "user name")
        String name;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                DeprovisioningService.Deactivated d = airlock.deprovisioning.deactivate(Actor.operator(), name);
                if (d.already()) {
                    System.out.println(name + " is deactivated already.");
                    return 0;
                }
                System.out.println("Deactivated " + name + ": " + d.tokens() + " token(s) revoked, " + d.sessions()
                        + " console session(s) ended, removed from "
                        + (d.orgs().isEmpty() ? "no org" : "org(s) " + String.join(", ", d.orgs())) + ".");
                for (String org : d.ownerless()) {
                    System.out.println("Warning: org " + org + " has no owner now; name one with ./airlock org add "
                            + org + " USER --role owner");
                }
            }
            return 0;
        }
    }

    @Command(
            name = "reactivate",
            description = "Let a deactivated account sign in again (its old tokens stay revoked, memberships are"
                    + " not restored).")
    static final class Reactivate implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", description = "user name")
        String name;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                boolean changed = airlock.deprovisioning.reactivate(Actor.operator(), name);
                System.out.println(
                        changed
                                ? "Reactivated " + name + ": they can sign in again (old tokens stay revoked)."
                                : name + " is not deactivated.");
            }
            return 0;
        }
    }
}
