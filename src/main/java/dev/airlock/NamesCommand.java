package dev.airlock;

import dev.airlock.names.AllowedName;
import dev.airlock.names.NameService;
import dev.airlock.shared.Actor;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock names allow|list|revoke}: names npm accepts only for packages that already exist (Node.js core
 * module names such as punycode, capitals such as JSONStream, ~'!()*) which may be published here as new packages
 * (docs/names.md). Reading and installing such packages needs no allowance, nor do further versions of one.
 */
@Command(
        name = "names",
        mixinStandardHelpOptions = true,
        description = "Allow legacy package names (core module names, capitals) for new packages.",
        subcommands = {NamesCommand.Allow.class, NamesCommand.ListNames.class, NamesCommand.Revoke.class})
final class NamesCommand {

    @Command(name = "allow", description = "Allow these names to be published as new packages (audited).")
    static final class Allow implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(
                arity = "1..*",
                paramLabel = "NAME",
                description = "package names, e.g. punycode JSONStream @acme/Legacy")
        List<String> names;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                for (NameService.Outcome o : airlock.names.allow(Actor.operator(), names)) {
                    String why = o.problems().isEmpty()
                            ? "npm accepts it for new packages anyway; the allowance matters"
                                    + " only beside a package whose name differs only in case"
                            : String.join(" and ", o.problems());
                    System.out.println((o.added() ? "Allowed " : "Already allowed ") + o.name() + " (" + why + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "list", description = "Names allowed for new packages, who allowed them and when.")
    static final class ListNames implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                List<AllowedName> all = airlock.names.list();
                System.out.println("NAME\tALLOWED_BY\tALLOWED_AT");
                for (AllowedName a : all) {
                    System.out.println(a.name() + "\t" + a.allowedBy() + "\t" + Instant.ofEpochMilli(a.allowedAt()));
                }
                System.out.println(all.size() + " allowed name(s)");
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Withdraw an allowance; packages already published under the name stay.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                airlock.names.revoke(Actor.operator(), name);
                System.out.println("Revoked the allowance for " + name + "; packages already published under it stay.");
            }
            return 0;
        }
    }
}
