package dev.airlock.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.airlock.platform.config.AirlockConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The SQL database: SQLite (WAL, one writer connection, any number of readers) by default, or PostgreSQL.
 * Writes run in {@link #write}, one transaction each; reads in {@link #read}.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource readPool;
    private final HikariDataSource writePool;
    private final Jdbi reader;
    private final Jdbi writer;
    private final boolean sqlite;

    private Database(HikariDataSource readPool, HikariDataSource writePool, boolean sqlite) {
        this.readPool = readPool;
        this.writePool = writePool;
        this.reader = Jdbi.create(readPool);
        this.writer = writePool == readPool ? reader : Jdbi.create(writePool);
        this.sqlite = sqlite;
    }

    public static Database open(AirlockConfig.Database cfg) {
        if (cfg.sqlite()) {
            createParent(cfg.url());
            // One writer connection: SQLite has one writer anyway; queuing in the pool is cheaper than busy-waiting.
            // transaction_mode=IMMEDIATE takes the write lock at BEGIN, so a write never fails on lock upgrade.
            HikariDataSource writePool = pool(cfg, cfg.url() + "?transaction_mode=IMMEDIATE", 1, "airlock-write");
            HikariDataSource readPool = pool(cfg, cfg.url(), Math.max(2, cfg.poolSize()), "airlock-read");
            Database db = new Database(readPool, writePool, true);
            db.migrate();
            return db;
        }
        HikariDataSource pool = pool(cfg, cfg.url(), cfg.poolSize(), "airlock");
        Database db = new Database(pool, pool, false);
        db.migrate();
        return db;
    }

    private static void createParent(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        if (q >= 0) {
            file = file.substring(0, q);
        }
        try {
            Path parent = Path.of(file).toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create the database directory for " + file, e);
        }
    }

    private static HikariDataSource pool(AirlockConfig.Database cfg, String url, int size, String name) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(1);
        if (!cfg.user().isEmpty()) {
            hc.setUsername(cfg.user());
            hc.setPassword(cfg.password());
        }
        if (cfg.sqlite()) {
            hc.addDataSourceProperty("journal_mode", "WAL");
            // Durable commits: every acknowledged write is fsynced to the WAL.
            hc.addDataSourceProperty("synchronous", "FULL");
            // how long a write waits for a lock another process holds (a backup, an import) before giving up
            hc.addDataSourceProperty(
                    "busy_timeout", Long.toString(cfg.busyTimeout().toMillis()));
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.setConnectionInitSql("PRAGMA journal_mode=WAL");
        }
        return new HikariDataSource(hc);
    }

    private void migrate() {
        flyway(writePool).migrate();
    }

    private static Flyway flyway(javax.sql.DataSource pool) {
        return Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .load();
    }

    /**
     * Runs {@code work} in one transaction; commits if it returns, rolls back if it throws. After the commit it runs
     * the hooks registered with {@link Tx#afterCommit}.
     *
     * <p>Transactions are serializable on both databases: SQLite has one writer, and PostgreSQL runs them at
     * {@code SERIALIZABLE}, so code that reads and then writes sees what a one-at-a-time execution would have seen. On
     * PostgreSQL a transaction that lost such a conflict (a serialization failure, a deadlock, or a unique index
     * another transaction filled first) is rolled back and run again from the start. The first {@value #OPTIMISTIC}
     * attempts run beside other writers; the last runs alone (it takes the exclusive side of an advisory lock whose
     * shared side every write holds), so it cannot conflict again: a transaction ends in a commit or in the refusal a
     * serial execution would give, never in a conflict error. {@code work} must do nothing outside the transaction
     * but register after-commit hooks (a failed attempt's hooks are dropped).
     */
    public <T> T write(Function<Tx, T> work) {
        if (sqlite) {
            return once(work, TransactionIsolationLevel.UNKNOWN, null);
        }
        for (int attempt = 1; ; attempt++) {
            boolean alone = attempt > OPTIMISTIC;
            try {
                return once(work, TransactionIsolationLevel.SERIALIZABLE, alone ? "" : "_shared");
            } catch (RuntimeException e) {
                if (alone || !isConflict(e)) {
                    throw e;
                }
                retries.incrementAndGet();
                backOff(attempt);
            }
        }
    }

    /** Attempts that run beside other writers before one runs alone. */
    private static final int OPTIMISTIC = 4;

    /** The advisory lock every write transaction holds shared (an arbitrary constant: "airlock" in ASCII). */
    private static final long WRITERS = 0x6169726c6f636bL;

    private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

    /** How many transactions ran again after a conflict (PostgreSQL), since this node started. */
    public long retries() {
        return retries.get();
    }

    /**
     * One attempt. On PostgreSQL the advisory lock ({@code mode} "_shared" or "" for exclusive) is taken on the
     * session before the transaction begins, so the snapshot is taken after any wait for it.
     */
    private <T> T once(Function<Tx, T> work, TransactionIsolationLevel level, String mode) {
        Tx[] opened = new Tx[1];
        T result = writer.withHandle(h -> {
            if (mode != null) {
                h.createQuery("SELECT pg_advisory_lock" + mode + "(" + WRITERS + ")")
                        .map((rs, ctx) -> 1)
                        .list();
            }
            RuntimeException failed = null;
            try {
                return h.inTransaction(level, t -> {
                    opened[0] = new Tx(t, true);
                    return work.apply(opened[0]);
                });
            } catch (RuntimeException e) {
                failed = e;
                throw e;
            } finally {
                if (mode != null) {
                    unlock(h, mode, failed);
                }
            }
        });
        opened[0].committed();
        return result;
    }

    /**
     * Releases the session's advisory lock. When that fails (the connection broke: the server restarted, say), the
     * connection is evicted from the pool, so its session ends and the lock with it; the transaction's own failure,
     * if any, is what the caller sees, and a transaction that committed stays a success.
     */
    private void unlock(org.jdbi.v3.core.Handle h, String mode, RuntimeException failed) {
        try {
            h.createQuery("SELECT pg_advisory_unlock" + mode + "(" + WRITERS + ")")
                    .map((rs, ctx) -> 1)
                    .list();
        } catch (RuntimeException e) {
            writePool.evictConnection(h.getConnection());
            if (failed != null) {
                failed.addSuppressed(e);
            }
        }
    }

    /** A few milliseconds, growing and jittered, so that the transactions that collided do not collide again. */
    private static void backOff(int attempt) {
        long max = Math.min(50, 1L << attempt);
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, max + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a transaction", e);
        }
    }

    /**
     * Whether PostgreSQL rolled a transaction back because a concurrent one won: serialization failure (40001),
     * deadlock (40P01), or a unique index the other filled (23505; the new attempt finds the row and answers as a
     * serial execution would).
     */
    static boolean isConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state) || "23505".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Runs {@code work} in one transaction, as {@link #write}, but does not wait for the commit to reach the disk: for
     * copies that can be fetched again (the upstream proxy's cache), never for a record. A crash may lose the last
     * such commits, never corrupt the database (SQLite's {@code synchronous=NORMAL} in WAL mode, PostgreSQL's
     * {@code synchronous_commit=off}); the next durable commit makes them durable too.
     */
    public <T> T writeCopy(Function<Tx, T> work) {
        if (!sqlite) {
            return write(tx -> {
                tx.handle().execute("SET LOCAL synchronous_commit TO OFF");
                return work.apply(tx);
            });
        }
        Tx[] opened = new Tx[1];
        T result = writer.withHandle(h -> {
            h.execute("PRAGMA synchronous=NORMAL"); // SQLite refuses to change it inside a transaction
            try {
                return h.inTransaction(TransactionIsolationLevel.UNKNOWN, t -> {
                    opened[0] = new Tx(t, true);
                    return work.apply(opened[0]);
                });
            } finally {
                h.execute("PRAGMA synchronous=FULL");
            }
        });
        opened[0].committed();
        return result;
    }

    /** Runs an after-commit hook: the change is committed, so a failing hook is logged, never thrown. */
    static void runQuietly(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Database.class).warn("an after-commit hook failed", e);
        }
    }

    /** Runs {@code work} on a read handle (autocommit, no explicit transaction). */
    public <T> T read(Function<Tx, T> work) {
        return reader.withHandle(h -> work.apply(new Tx(h, false)));
    }

    /**
     * Whether a failure is a violation of a unique index on {@code table}: the index that decides a race (one version
     * per package, one use per token id). A violation on any other table is not that race and must not be reported
     * as it.
     */
    public static boolean isUniqueViolation(Throwable t, String table) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                // PostgreSQL names the index: <table>_pkey, or <table>_<columns> as our migrations name them
                return String.valueOf(sql.getMessage()).contains("unique constraint \"" + table + "_");
            }
            // SQLite reports primary keys as UNIQUE constraints too
            if (c instanceof SQLException sql
                    && String.valueOf(sql.getMessage()).contains("UNIQUE constraint failed: " + table + ".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code t} comes from SQLite's lock staying taken beyond {@code busy_timeout} (SQLITE_BUSY or
     * SQLITE_LOCKED): another process, such as a backup, an import or a database shell, holds the write lock. The
     * transaction was rolled back.
     */
    public static boolean isBusy(Throwable t) {
        return dev.airlock.shared.Throwables.anyCause(
                t,
                c -> c instanceof SQLException sql
                        && (sql.getErrorCode() == 5
                                || sql.getErrorCode() == 6 // SQLITE_BUSY, SQLITE_LOCKED
                                || String.valueOf(sql.getMessage()).contains("SQLITE_BUSY")
                                || String.valueOf(sql.getMessage()).contains("SQLITE_LOCKED")));
    }

    /**
     * Whether {@code t} comes from the database server being out of reach: a connection failure or a server shutting
     * down (PostgreSQL's SQLSTATE classes 08 and 57P), or no pooled connection to be had in time. A transaction cut
     * off so may or may not have committed.
     */
    public static boolean isUnavailable(Throwable t) {
        return dev.airlock.shared.Throwables.anyCause(
                t,
                c -> c instanceof java.sql.SQLTransientConnectionException
                        || (c instanceof SQLException sql
                                && sql.getSQLState() != null
                                && (sql.getSQLState().startsWith("08")
                                        || sql.getSQLState().startsWith("57P"))));
    }

    /** Asks the database {@code SELECT 1} (a readiness probe); throws when it does not answer. */
    public void ping() {
        reader.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
    }

    /** The versions of the migrations this build has and the database has not applied (a readiness probe). */
    public java.util.List<String> pendingMigrations() {
        return java.util.Arrays.stream(flyway(readPool).info().pending())
                .map(m -> String.valueOf(m.getVersion()))
                .toList();
    }

    public boolean sqlite() {
        return sqlite;
    }

    @Override
    public void close() {
        if (writePool != readPool) {
            writePool.close();
        }
        readPool.close();
    }
}
