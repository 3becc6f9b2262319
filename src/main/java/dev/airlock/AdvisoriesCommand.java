package dev.airlock;

import dev.airlock.advisories.AdvisoryImport;
import dev.airlock.shared.Actor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock advisories import DIR}: fills the local advisory store npm audit is answered from (docs/advisories.md). */
@Command(
        name = "advisories",
        mixinStandardHelpOptions = true,
        description = "Manage the local security advisories npm audit is answered from.",
        subcommands = {AdvisoriesCommand.Import.class})
final class AdvisoriesCommand {

    @Command(
            name = "import",
            description = "Import OSV advisory files (e.g. a clone of github.com/github/advisory-database); audited.")
    static final class Import implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "read every *.json file under it")
        Path dir;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                AdvisoryImport.Summary s = airlock.advisories.importDirectory(Actor.operator(), dir);
                System.out.println(s.describe());
                if (s.malformed().isEmpty()) {
                    return 0;
                }
                java.io.PrintWriter err = spec.commandLine().getErr();
                err.println("airlock: " + s.malformed().size()
                        + (s.malformed().size() == 1 ? " file is" : " files are")
                        + " not a readable OSV advisory (the others were imported):");
                s.malformed().forEach(m -> err.println("  " + m));
                return 1;
            }
        }
    }
}
