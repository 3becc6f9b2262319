package dev.airlock.ops;

import dev.airlock.platform.db.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an embedded (SQLite) database holds, read through a plain JDBC connection: tables, counts, blobs. The only class
 * of the operator commands that opens those connections ({@link Backup}, {@link Restore} and {@code MigrateCommand}
 * call the static methods that take and return plain values).
 */
public final class JdbiSnapshots {
    /** Flyway's own table: the target database has its own history. */
    static final String FLYWAY = "flyway_schema_history";

    /** A SQLite database file's row count per table (in foreign-key order) and the blobs its rows refer to. */
    public record Summary(Map<String, Long> tables, SortedSet<String> blobs) {}

    private JdbiSnapshots() {}

    /** A consistent copy of a running embedded database into {@code file} ({@code VACUUM INTO}, one read). */
    public static void vacuumInto(Database db, Path file) {
        db.read(tx -> tx.handle().execute("VACUUM INTO '" + file.toString().replace("'", "''") + "'"));
    }

    /** The {@link Summary} of the SQLite database file {@code file}. */
    public static Summary summary(Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            return new Summary(counts(c, tables(c)), referencedBlobs(c));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Row count of each table of the database at the JDBC {@code url}, in the given order. */
    public static Map<String, Long> counts(String url, List<String> tables) {
        try (Connection c = DriverManager.getConnection(url)) {
            return counts(c, tables);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the rows of the target database: " + e.getMessage(), e);
        }
    }

    /** Every blob a row refers to: published and staged tarballs, and the proxy's cached tarballs. */
    static SortedSet<String> referencedBlobs(Connection c) throws SQLException {
        SortedSet<String> keys = new TreeSet<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tarball_blob FROM versions WHERE tarball_blob IS NOT NULL"
                        + " UNION SELECT blob FROM proxy_tarballs")) {
            while (rs.next()) {
                keys.add(rs.getString(1).trim());
            }
        }
        return keys;
    }

    /**
     * The application's tables of a SQLite database (from sqlite_master, without Flyway's history), ordered so that a
     * table comes after every table its foreign keys point to.
     */
    static List<String> tables(Connection sqlite) throws SQLException {
        Map<String, Set<String>> parents = new TreeMap<>();
        try (Statement s = sqlite.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                        + " AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) {
                if (!rs.getString(1).equals(FLYWAY)) {
                    parents.put(rs.getString(1), new LinkedHashSet<>());
                }
            }
        }
        for (var e : parents.entrySet()) {
            try (Statement s = sqlite.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT \"table\" FROM pragma_foreign_key_list('" + e.getKey() + "')")) {
                while (rs.next()) {
                    if (!rs.getString(1).equals(e.getKey())) {
                        e.getValue().add(rs.getString(1));
                    }
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        while (ordered.size() < parents.size()) {
            boolean progressed = false;
            for (var e : parents.entrySet()) {
                if (!ordered.contains(e.getKey()) && ordered.containsAll(e.getValue())) {
                    ordered.add(e.getKey());
                    progressed = true;
                }
            }
            if (!progressed) {
                throw new IllegalStateException("the tables' foreign keys form a cycle: " + parents);
            }
        }
        return ordered;
    }

    /** Row count of each table, in the given order. */
    static Map<String, Long> counts(Connection c, List<String> tables) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String t : tables) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"" + t + "\"")) {
                rs.next();
                counts.put(t, rs.getLong(1));
            }
        }
        return counts;
    }
}
