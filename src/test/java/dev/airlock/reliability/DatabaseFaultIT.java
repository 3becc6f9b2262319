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
 * {@code reliability/run.sh db} as a test (SQLite busy): another connection holds the write lock for 3 s while three
 * publishes arrive; they wait and succeed, reads answer meanwhile; then a lock held beyond the server's wait makes a
 * publish fail with 503 and nothing stored, and the same publish succeeds after; nothing is partial, integrity_check
 * says ok.
 */
class DatabaseFaultIT {
    @TempDir
    Path tmp;

    @Test
    void aWriteLockHeldElsewhereMakesPublishesWaitNotFailOrCorrupt() throws Exception {
        assumeFalse(TestDatabase.postgres(), "about SQLite's write lock: the SQLite execution runs it");
        ByteArrayOutputStream figures = new ByteArrayOutputStream();
        List<String> failures =
                new DatabaseFaultScenario(tmp, 3, new PrintStream(figures, true, StandardCharsets.UTF_8)).run();
        String printed = figures.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(failures).as(printed).isEmpty();
        assertThat(printed).contains("3 publishes waited", "was answered 503", "SQLite integrity_check: [ok]");
    }
}
