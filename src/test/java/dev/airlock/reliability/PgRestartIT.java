package dev.airlock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
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
 * {@code reliability/run.sh pg} as a test, two rounds (a graceful restart and a crash of a PostgreSQL server of its
 * own) while clients publish and read: only successes and the database's 503, recovery without restarting Airlock,
 * nothing acknowledged lost or partial, no orphan after the sweep, the audit log verifies.
 */
class PgRestartIT {
    @TempDir
    Path tmp;

    @Test
    void restartsAndCrashesOfPostgresqlLoseNothingAndRecoverByThemselves() throws Exception {
        assumeTrue(TestDatabase.postgres(), "about PostgreSQL: the PostgreSQL execution runs it");
        assumeTrue(PgCluster.available(), "PostgreSQL's server programs are installed by .ci/run");
        ByteArrayOutputStream figures = new ByteArrayOutputStream();
        List<String> failures =
                new PgRestartScenario(tmp, 2, new PrintStream(figures, true, StandardCharsets.UTF_8)).run();
        String printed = figures.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(failures).as(printed).isEmpty();
        assertThat(printed).contains("round 1 (fast)", "round 2 (immediate)", "orphans after the sweep: 0");
    }
}
