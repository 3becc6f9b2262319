package dev.airlock;

import dev.airlock.audit.AuditEvent;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.LogVerifier;
import dev.airlock.audit.NoteKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airlock audit verify|checkpoint|key|export}: the audit log from the server's side (docs/audit.md). */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Read, verify, checkpoint and export the audit log.",
        subcommands = {
            AuditCommand.Verify.class,
            AuditCommand.CheckpointCmd.class,
            AuditCommand.Key.class,
            AuditCommand.Export.class,
            AuditReadCommands.Tail.class,
            AuditReadCommands.Query.class
        })
final class AuditCommand {

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Command(
            name = "verify",
            description = "Recompute the log and check it against its checkpoints and those given; name the first bad"
                    + " index. Exit 0 when it verifies, 1 when it does not.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "a checkpoint kept elsewhere (repeatable)")
        List<Path> checkpoints = new ArrayList<>();

        @Option(
                names = "--key",
                paramLabel = "KEY",
                description = "the log's verifier key (name+id+key, or a file holding it) the checkpoints must be"
                        + " signed with; default: the key in the data directory")
        String key;

        @Option(
                names = "--export",
                paramLabel = "FILE",
                description = "verify this export (airlock audit export) instead of the data directory")
        Path export;

        @Override
        public Integer call() {
            List<Checkpoint> given =
                    checkpoints.stream().map(f -> Checkpoint.parse(read(f))).toList();
            NoteKey trusted = key == null
                    ? null
                    : NoteKey.parseVerifier(Files.isRegularFile(Path.of(key)) ? read(Path.of(key)) : key);
            LogVerifier.Report report;
            if (export != null) {
                if (trusted == null) {
                    throw new IllegalArgumentException("verifying an export needs the log's key: add --key");
                }
                report = LogVerifier.verifyExport(read(export).lines().toList(), given, trusted);
            } else {
                try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                    report = airlock.audit.verify(given, trusted);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (report.ok()) {
                out.printf(
                        "The audit log verifies: %d entries, root %s, %d checkpoint(s) checked.%n",
                        report.size(), java.util.HexFormat.of().formatHex(report.root()), report.checkpoints());
                out.flush();
                return 0;
            }
            PrintWriter err = spec.commandLine().getErr();
            report.findings().forEach(f -> err.println("airlock: " + f));
            err.printf(
                    "airlock: the audit log does NOT verify (%d entries, %d checkpoint(s) checked); first bad index: %d%n",
                    report.size(), report.checkpoints(), report.firstBadIndex());
            err.flush();
            return 1;
        }
    }

    @Command(name = "checkpoint", description = "Sign a checkpoint now if the log grew, and print the latest.")
    static final class CheckpointCmd implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                System.out.print(airlock.audit.checkpoint().text());
            }
            return 0;
        }
    }

    @Command(name = "key", description = "Print the log's verifier key (publish it beside its checkpoints).")
    static final class Key implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                System.out.println(airlock.audit.key().verifierText());
            }
            return 0;
        }
    }

    @Command(
            name = "export",
            description =
                    "Write the log's entries, one per line from index 0 (each line the exact bytes the log hashes).")
    static final class Export implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                for (AuditEvent e : airlock.audit.all()) {
                    System.out.println(e.entry());
                }
            }
            return 0;
        }
    }
}
