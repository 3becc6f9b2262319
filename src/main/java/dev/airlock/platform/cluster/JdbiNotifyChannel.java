package dev.airlock.platform.cluster;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL {@code LISTEN}/{@code NOTIFY} on channel {@value #CHANNEL}: a dedicated connection (outside the pool)
 * listens on a daemon thread and hands each payload to the consumer; it reconnects after a failure (a notification
 * sent while it was away is lost, so consumers invalidate caches whose entries also expire on their own).
 */
final class JdbiNotifyChannel implements AutoCloseable {
    static final String CHANNEL = "airlock_cluster";
    private static final Logger LOG = LoggerFactory.getLogger(JdbiNotifyChannel.class);
    private final AirlockConfig.Database config;
    private final Database db;
    private final Consumer<String> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    JdbiNotifyChannel(AirlockConfig.Database config, Database db, Consumer<String> consumer) {
        this.config = config;
        this.db = db;
        this.consumer = consumer;
        this.thread = new Thread(this::run, "airlock-cluster-listen");
        thread.setDaemon(true);
    }

    /** Starts listening; returns once the LISTEN is in place (so a notification sent after this is received). */
    void start() {
        connection = connect();
        thread.start();
    }

    /** Sends {@code payload} to every listening node (this one included) once the caller's work is committed. */
    void send(String payload) {
        db.read(tx -> tx.handle()
                .createQuery("SELECT pg_notify(:channel, :payload)")
                .bind("channel", CHANNEL)
                .bind("payload", payload)
                .mapTo(String.class)
                .findOne());
    }

    private Connection connect() {
        try {
            Connection c = config.user().isEmpty()
                    ? DriverManager.getConnection(config.url())
                    : DriverManager.getConnection(config.url(), config.user(), config.password());
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot listen for cluster notifications: " + e.getMessage(), e);
        }
    }

    private void run() {
        while (running) {
            try {
                Connection c = connection;
                if (c == null || c.isClosed()) {
                    c = connect();
                    connection = c;
                }
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(1000);
                if (got != null) {
                    for (PGNotification n : got) {
                        deliver(n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                LOG.warn("cluster notifications interrupted ({}); listening again", e.toString());
                closeQuietly();
                sleep();
            }
        }
        closeQuietly();
    }

    private void deliver(String payload) {
        try {
            consumer.accept(payload);
        } catch (RuntimeException e) {
            LOG.warn("a cluster notification handler failed on {}", payload, e);
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly();
    }
}
