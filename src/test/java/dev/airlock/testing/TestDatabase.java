package dev.airlock.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The database the integration tests run on. By default every registry uses SQLite in its data directory (Airlock's
 * embedded default). When the system property {@code airlock.test.postgres} names a PostgreSQL server (a JDBC URL to
 * its maintenance database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=airlock&password=airlock}), each
 * data directory gets its own fresh database on that server instead: operator commands run on the directory and the
 * registry started on it see the same state, and two registries in one test (an upstream and its proxy) never share
 * one. The build runs every integration suite both ways.
 */
public final class TestDatabase {
    private static final String SERVER = System.getProperty("airlock.test.postgres", "");
    private static final Map<Path, String> DATABASES = new HashMap<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String PREFIX = "airlock_t_" + ProcessHandle.current().pid() + "_";

    static {
        if (!SERVER.isEmpty()) {
            dropLeftovers();
        }
    }

    private TestDatabase() {}

    /** Whether this run's registries use PostgreSQL. */
    public static boolean postgres() {
        return !SERVER.isEmpty();
    }

    /** The configuration keys that put {@code dataDir}'s database where this run wants it (none for SQLite). */
    public static Map<String, String> settingsFor(Path dataDir) {
        return postgres() ? Map.of("database.url", urlFor(dataDir)) : Map.of();
    }

    /** The environment that does the same for an {@code ./airlock} process (none for SQLite). */
    public static Map<String, String> envFor(Path dataDir) {
        return postgres() ? Map.of("AIRLOCK_DATABASE_URL", urlFor(dataDir)) : Map.of();
    }

    /** The JDBC URL (credentials included) of {@code dataDir}'s PostgreSQL database, created empty on first use. */
    public static synchronized String urlFor(Path dataDir) {
        Path key = dataDir.toAbsolutePath().normalize();
        String name = DATABASES.get(key);
        if (name == null) {
            name = PREFIX + COUNTER.incrementAndGet();
            admin("CREATE DATABASE " + name);
            DATABASES.put(key, name);
        }
        return url(name);
    }

    /** A fresh PostgreSQL database that belongs to no data directory (several nodes share it); dropped by {@link #drop}. */
    public static synchronized String fresh() {
        String name = PREFIX + COUNTER.incrementAndGet();
        admin("CREATE DATABASE " + name);
        DATABASES.put(Path.of("/nonexistent/" + name), name);
        return url(name);
    }

    /** Drops a database {@link #fresh} made (after every node on it closed). */
    public static synchronized void drop(String url) {
        DATABASES.values().removeIf(name -> url.contains("/" + name + "?") || url.endsWith("/" + name));
        String name = url.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
        if (name.startsWith(PREFIX)) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** Drops {@code dataDir}'s database, if it has one (after the registry on it closed). */
    public static synchronized void drop(Path dataDir) {
        String name = DATABASES.remove(dataDir.toAbsolutePath().normalize());
        if (name != null) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** The JDBC URL of the named database on the test server, with the server URL's parameters (credentials). */
    static String url(String database) {
        int q = SERVER.indexOf('?');
        String base = q < 0 ? SERVER : SERVER.substring(0, q);
        String params = q < 0 ? "" : SERVER.substring(q);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "test database server " + SERVER.replaceAll("password=[^&]*", "password=…") + ": " + sql + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Drops the databases earlier test runs left behind (their JVM is gone: killed, or it never reached close()). */
    private static void dropLeftovers() {
        List<String> stale = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'airlock_t_%'")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String[] parts = name.split("_");
                long pid = parts.length > 2 && parts[2].matches("\\d+") ? Long.parseLong(parts[2]) : -1;
                if (ProcessHandle.of(pid).isEmpty()) {
                    stale.add(name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test database server unreachable: " + e.getMessage(), e);
        }
        for (String name : stale) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
