package dev.airlock;

import dev.airlock.doctor.BundledDoctor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code airlock doctor [ARGS…]}: runs the client doctor (the Node program every Airlock serves as {@code
 * airlock-doctor}, docs/doctor.md) with the system {@code node}, the arguments passed through and its exit code passed
 * back. {@code airlock doctor mail} checks mail domains instead (docs/mail-check.md).
 */
@Command(
        name = "doctor",
        subcommands = {MailDoctorCommand.class},
        description = "Check this machine's npm, pnpm, yarn and bun configuration (airlock doctor --help for the"
                + " doctor's options).")
final class DoctorCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    /** Overridable for tests: the node executable. */
    String node = System.getenv().getOrDefault("AIRLOCK_NODE", "node");

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("airlock-doctor");
        try {
            Path script = BundledDoctor.unpack(dir);
            List<String> command = new ArrayList<>(List.of(node, script.toString()));
            command.addAll(args);
            Process p;
            try {
                p = new ProcessBuilder(command).inheritIO().start();
            } catch (IOException e) {
                System.err.println("airlock doctor needs Node.js 18 or later on PATH (" + node + " could not be run: "
                        + e.getMessage() + "). Install Node.js, or run npx --registry <your airlock> airlock-doctor"
                        + " where npm is installed.");
                return 2;
            }
            return p.waitFor();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
