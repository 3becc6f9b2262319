package dev.airlock.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two kinds of write on a real SQLite file: durable records and copies that may be fetched again. */
class DatabaseTest {
    private static final int NORMAL = 1;
    private static final int FULL = 2;

    @TempDir
    Path dir;

    private static int synchronous(Tx tx) {
        return tx.handle()
                .createQuery("PRAGMA synchronous")
                .mapTo(Integer.class)
                .one();
    }

    private static int durable(Database db) {
        return db.write(DatabaseTest::synchronous);
    }

    private static int copy(Database db) {
        return db.writeCopy(DatabaseTest::synchronous);
    }

    @Test
    void aCopyIsWrittenWithoutWaitingForTheDiskAndEveryOtherWriteWaitsAgain() {
        try (Database db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("a.db"), "", "", 2))) {
            assertThat(durable(db)).isEqualTo(FULL);
            assertThat(copy(db)).isEqualTo(NORMAL);
            assertThat(durable(db)).isEqualTo(FULL);

            // a copy's transaction that fails rolls back and leaves the connection durable too
            db.write(tx -> tx.handle().execute("CREATE TABLE t (x INTEGER)"));
            assertThatThrownBy(() -> db.writeCopy(tx -> {
                        tx.handle().execute("INSERT INTO t VALUES (1)");
                        throw new IllegalStateException("boom");
                    }))
                    .hasMessage("boom");
            int rows = db.read(tx -> tx.handle()
                    .createQuery("SELECT COUNT(*) FROM t")
                    .mapTo(Integer.class)
                    .one());
            assertThat(rows).isZero();
            assertThat(durable(db)).isEqualTo(FULL);
            db.writeCopy(tx -> tx.handle().execute("INSERT INTO t VALUES (2)"));
            int x = db.read(tx -> tx.handle()
                    .createQuery("SELECT x FROM t")
                    .mapTo(Integer.class)
                    .one());
            assertThat(x).isEqualTo(2);
        }
    }
}
