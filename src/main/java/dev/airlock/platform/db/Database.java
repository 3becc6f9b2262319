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
            hc.addDataSourceProperty("busy_timeout", "30000");
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.setConnectionInitSql("PRAGMA journal_mode=WAL");
        }
        return new HikariDataSource(hc);
    }

    private void migrate() {
        Flyway.configure()
                .dataSource(writePool)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /**
     * Runs {@code work} in one transaction; commits if it returns, rolls back if it throws. After the commit it runs
     * the hooks registered with {@link Tx#afterCommit}.
     */
    public <T> T write(Function<Tx, T> work) {
        Tx[] opened = new Tx[1];
        T result = writer.inTransaction(
                sqlite ? TransactionIsolationLevel.UNKNOWN : TransactionIsolationLevel.READ_COMMITTED, h -> {
                    opened[0] = new Tx(h, true);
                    return work.apply(opened[0]);
                });
        opened[0].committed();
        return result;
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

    /** Whether a failure is the unique-index violation that decides a race. */
    public static boolean isUniqueViolation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                String msg = String.valueOf(sql.getMessage());
                if ("23505".equals(state)
                        || msg.contains("UNIQUE constraint failed")
                        || msg.contains("PRIMARY KEY constraint")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Asks the database {@code SELECT 1} (a readiness probe); throws when it does not answer. */
    public void ping() {
        reader.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
    }

    /** The versions of the migrations this build has and the database has not applied (a readiness probe). */
    public java.util.List<String> pendingMigrations() {
        return java.util.Arrays.stream(Flyway.configure()
                        .dataSource(readPool)
                        .locations("classpath:db/migration")
                        .load()
                        .info()
                        .pending())
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
