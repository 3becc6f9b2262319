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
 * {@code reliability/run.sh slow} as a test, short form: idleTimeout 5 s, 2,000 idle connections, 200 slowloris, 20
 * publish bodies at 4 B/s and a 1 MiB tarball read at 1 KiB/s for 15 s, while a normal client reads; it keeps its
 * latency and sees no error, the idle and slow-body connections are cut, the slow reader is not.
 */
class SlowClientIT {
    @TempDir
    Path tmp;

    @Test
    void slowAndHostileClientsDoNotTakeOtherUsersLatencyAndAreCutWhereTheyShouldBe() throws Exception {
        assumeFalse(TestDatabase.postgres(), "about the HTTP layer: the SQLite execution runs it");
        ByteArrayOutputStream figures = new ByteArrayOutputStream();
        List<String> failures = new SlowClientScenario(
                        tmp,
                        new SlowClientScenario.Options(5, 15, 2000, 200, 20, false),
                        new PrintStream(figures, true, StandardCharsets.UTF_8))
                .run();
        String printed = figures.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(failures).as(printed).isEmpty();
        assertThat(printed).contains("2000 of 2000 closed by the server", "not cut off");
    }
}
