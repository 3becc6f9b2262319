package dev.airlock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.airlock.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code reliability/run.sh kill}: three SIGKILLs of a server process (target/airlock.jar) while
 * clients publish, stage and approve; nothing acknowledged is lost, nothing is partial, the sweep leaves no orphan and
 * the audit log verifies. About the embedded installation (SQLite and blob files): the SQLite execution runs it.
 */
class KillIT {
    @TempDir
    Path tmp;

    @Test
    void sigkillDuringWritesLosesNothingAndLeavesNothingPartial() {
        assumeFalse(TestDatabase.postgres(), "about SQLite and the blob files: the SQLite execution runs it");
        ByteArrayOutputStream figures = new ByteArrayOutputStream();
        List<String> failures = new KillScenario(tmp, 3, new PrintStream(figures, true, StandardCharsets.UTF_8)).run();
        String printed = figures.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(failures).as(printed).isEmpty();
        assertThat(printed).contains("SQLite integrity_check: [ok]", "audit verify: exit 0");
    }
}
