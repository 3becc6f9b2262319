package dev.airlock.ops;

import dev.airlock.shared.AirlockException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * Copies an embedded installation's tables into a PostgreSQL database that Flyway migrated to the same version, row by
 * row and column by column, in one transaction on each side (the source read as one snapshot, the target committed
 * once). The schema declares the same types on both (TEXT/VARCHAR/CHAR, BIGINT, INTEGER, DOUBLE PRECISION, BYTEA;
 * booleans are INTEGER 0/1): each value is read as the target column's type.
 */
public final class JdbiMigration {
    private static final int BATCH = 500;
    /** Rows the migrations themselves insert: the only rows an empty target holds. */
    private static final Set<String> SEEDED = Set.of("audit_head", "alert_cursor");

    /** What {@link #copy(String, String, Consumer)} copied: rows per table, and the blobs those rows refer to. */
    public record Copied(Map<String, Long> tables, SortedSet<String> blobs) {}

    private JdbiMigration() {}

    /** {@link #requireEmpty(Connection)} on the database at the JDBC {@code url}. Reads only. */
    public static void requireEmpty(String url) {
        try (Connection pg = DriverManager.getConnection(url)) {
            requireEmpty(pg);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the target database: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the embedded database at {@code sqliteUrl} into the PostgreSQL database at {@code pgUrl}: the list of
     * referenced blobs and the rows come from one snapshot of the source.
     */
    public static Copied copy(String sqliteUrl, String pgUrl, Consumer<String> progress) {
        try (Connection sqlite = DriverManager.getConnection(sqliteUrl);
                Connection pg = DriverManager.getConnection(pgUrl)) {
            sqlite.setAutoCommit(false); // the blob list and the rows come from one snapshot
            SortedSet<String> keys = JdbiSnapshots.referencedBlobs(sqlite);
            Map<String, Long> copied = copy(sqlite, pg, progress);
            return new Copied(copied, keys);
        } catch (SQLException e) {
            throw new IllegalStateException("the copy failed: " + e.getMessage(), e);
        }
    }

    /** The tables of the target's current schema, lower-case. */
    static List<String> targetTables(Connection pg) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = pg.getMetaData().getTables(null, pg.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return tables;
    }

    /**
     * Refuses a target that holds anything: tables of another application, or any Airlock row beyond those the
     * migrations insert. Reads only.
     */
    static void requireEmpty(Connection pg) throws SQLException {
        List<String> tables = targetTables(pg);
        if (tables.isEmpty()) {
            return;
        }
        if (!tables.contains(JdbiSnapshots.FLYWAY)) {
            throw AirlockException.badRequest("the target database is not empty (it holds tables such as "
                    + tables.get(0) + "): migrate into a new, empty database");
        }
        for (String t : tables) {
            if (t.equals(JdbiSnapshots.FLYWAY) || SEEDED.contains(t)) {
                continue;
            }
            try (Statement s = pg.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1 FROM \"" + t + "\" LIMIT 1")) {
                if (rs.next()) {
                    throw AirlockException.badRequest("the target database is not empty (table " + t
                            + " has rows): migrate into a new, empty database");
                }
            }
        }
    }

    /**
     * Copies every table (in foreign-key order) from {@code sqlite} to {@code pg}; commits on {@code pg}. Returns the
     * rows copied per table.
     */
    static Map<String, Long> copy(Connection sqlite, Connection pg, Consumer<String> progress) throws SQLException {
        sqlite.setAutoCommit(false); // one read transaction: a snapshot
        pg.setAutoCommit(false);
        try {
            List<String> tables = JdbiSnapshots.tables(sqlite);
            Set<String> present = Set.copyOf(targetTables(pg));
            for (String t : tables) {
                if (!present.contains(t)) {
                    throw AirlockException.unprocessable(
                            "the target database has no table " + t + ": is it migrated by the same Airlock version?");
                }
            }
            for (int i = tables.size() - 1; i >= 0; i--) {
                try (Statement s = pg.createStatement()) {
                    s.executeUpdate("DELETE FROM \"" + tables.get(i) + "\""); // the migrations' seed rows
                }
            }
            Map<String, Long> copied = new LinkedHashMap<>();
            for (String t : tables) {
                long n = copyTable(sqlite, pg, t);
                copied.put(t, n);
                progress.accept(t + ": " + n + " rows");
            }
            pg.commit();
            return copied;
        } catch (SQLException | RuntimeException e) {
            pg.rollback();
            throw e;
        } finally {
            sqlite.rollback();
        }
    }

    private static long copyTable(Connection sqlite, Connection pg, String table) throws SQLException {
        Map<String, Integer> targetTypes = new HashMap<>();
        try (ResultSet rs = pg.getMetaData().getColumns(null, pg.getSchema(), table, "%")) {
            while (rs.next()) {
                targetTypes.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getInt("DATA_TYPE"));
            }
        }
        long rows = 0;
        try (Statement s = sqlite.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> columns = new ArrayList<>();
            int[] types = new int[n];
            for (int i = 1; i <= n; i++) {
                String c = md.getColumnName(i).toLowerCase(Locale.ROOT);
                Integer type = targetTypes.get(c);
                if (type == null) {
                    throw AirlockException.unprocessable("the target's table " + table + " has no column " + c);
                }
                columns.add("\"" + c + "\"");
                types[i - 1] = type;
            }
            String sql = "INSERT INTO \"" + table + "\" (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
            try (PreparedStatement insert = pg.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        bind(rs, insert, i, types[i - 1]);
                    }
                    insert.addBatch();
                    if (++rows % BATCH == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
        }
        return rows;
    }

    /** Reads column {@code i} of the SQLite row as the PostgreSQL column's type wants it. */
    private static void bind(ResultSet from, PreparedStatement to, int i, int type) throws SQLException {
        switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> {
                long v = from.getLong(i);
                if (from.wasNull()) {
                    to.setNull(i, type);
                } else if (type == Types.BIGINT) {
                    to.setLong(i, v);
                } else {
                    to.setInt(i, Math.toIntExact(v));
                }
            }
            case Types.BOOLEAN, Types.BIT -> {
                long v = from.getLong(i);
                if (from.wasNull()) {
                    to.setNull(i, Types.BOOLEAN);
                } else {
                    to.setBoolean(i, v != 0);
                }
            }
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC, Types.DECIMAL -> {
                double v = from.getDouble(i);
                if (from.wasNull()) {
                    to.setNull(i, type);
                } else {
                    to.setDouble(i, v);
                }
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> to.setBytes(i, from.getBytes(i));
            default -> to.setString(i, from.getString(i));
        }
    }
}
