package dev.airlock;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code airlock blobs sweep}: the orphan sweep the server runs every hour, now, with a grace period of your choice. */
@Command(
        name = "blobs",
        description = "Sweep the blob store: delete blobs no version refers to.",
        subcommands = {BlobsCommand.Sweep.class})
final class BlobsCommand {

    @Command(
            name = "sweep",
            description = "Delete the blobs no version or proxied tarball refers to, and the temporary files of"
                    + " writes that never finished, when older than --grace (default PT1H, as the server's hourly"
                    + " sweep). PT0S is safe only while no server writes to this store (after a crash, say).")
    static final class Sweep implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(names = "--grace", description = "ISO-8601 duration: spare what is younger (default PT1H)")
        Duration grace = Duration.ofHours(1);

        @Override
        public Integer call() {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("--grace must not be negative");
            }
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                int before = countKeys(airlock);
                int deleted = airlock.sweep(grace).sweep();
                System.out.println("Deleted " + deleted + " orphaned blob(s); " + (before - deleted) + " kept.");
            }
            return 0;
        }

        private static int countKeys(AirlockAssembly airlock) {
            try {
                return airlock.blobs.keys().size();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
