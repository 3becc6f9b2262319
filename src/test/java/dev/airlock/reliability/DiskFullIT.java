package dev.airlock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reliability/run.sh disk} as a test: a server process whose data directory (SQLite and blobs) is on a full
 * tmpfs refuses publishes with 507 and a sentence saying the disk is full, stores nothing partial, keeps serving
 * reads, and publishes again once space returns, without a restart. Needs mount (root), like the CI container.
 */
class DiskFullIT {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskRefusesWritesCleanlyKeepsReadsAndRecoversByItself() throws Exception {
        assumeFalse(TestDatabase.postgres(), "about the embedded data directory: the SQLite execution runs it");
        assumeTrue(DiskFullScenario.canMount(tmp), "mounting a tmpfs is not permitted here");
        ByteArrayOutputStream figures = new ByteArrayOutputStream();
        List<String> failures = new DiskFullScenario(tmp, new PrintStream(figures, true, StandardCharsets.UTF_8)).run();
        String printed = figures.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(failures).as(printed).isEmpty();
        assertThat(printed).contains("publishes on the full disk: 507 The registry's disk is full", "4/4 publishes");
    }
}
