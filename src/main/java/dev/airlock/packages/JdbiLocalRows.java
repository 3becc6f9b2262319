package dev.airlock.packages;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The SQL of {@link LocalRows}: the columns and joins of the packages tables another feature's statement reads after
 * a one-row FROM ({@code FROM (SELECT 1 AS one) q}), and the mapping of those columns back to the records.
 */
public final class JdbiLocalRows {
    private JdbiLocalRows() {}

    /**
     * Five columns read by {@link #document}, from {@link #DOCUMENT_JOIN}: the package's name, scope and access, no
     * body (documents are assembled from their parts and kept in memory by the packages feature) and its head's
     * revision, null when it has nothing published. The same for every variant.
     */
    public static String documentColumns(boolean abbreviated, boolean gzip) {
        return "p.name, p.scope, p.access, NULL, k.rev";
    }

    /** The package row named {@code :n} and its packument's head, when any (LEFT JOINs after a one-row FROM). */
    public static final String DOCUMENT_JOIN =
            " LEFT JOIN packages p ON p.name = :n LEFT JOIN packument_heads k ON k.package = p.name";

    /** Six columns of a published version's tarball, read by {@link #tarball}: from {@link #TARBALL_JOIN}. */
    public static final String TARBALL_COLUMNS =
            "p.name, p.scope, p.access, v.tarball_blob, v.tarball_size, v.integrity";

    /** The package row named {@code :n} and its published version {@code :v}, when any. */
    public static final String TARBALL_JOIN = " LEFT JOIN packages p ON p.name = :n LEFT JOIN versions v"
            + " ON v.package = p.name AND v.version = :v AND v.state = 'published'";

    /**
     * The document read from the five columns starting at {@code first} (its body null, its etag the head's revision);
     * null when no package has the name.
     */
    public static LocalRows.Document document(ResultSet rs, int first) throws SQLException {
        String name = rs.getString(first);
        // getBytes on a text column hands over its UTF-8 bytes as stored (SQLite, PostgreSQL): no decoding
        return name == null
                ? null
                : new LocalRows.Document(
                        name,
                        rs.getString(first + 1),
                        rs.getString(first + 2),
                        rs.getBytes(first + 3),
                        rs.getString(first + 4));
    }

    /** The tarball read from the six columns starting at {@code first}; null when no package has the name. */
    public static LocalRows.Tarball tarball(ResultSet rs, int first) throws SQLException {
        String name = rs.getString(first);
        return name == null
                ? null
                : new LocalRows.Tarball(
                        name,
                        rs.getString(first + 1),
                        rs.getString(first + 2),
                        rs.getString(first + 3),
                        rs.getLong(first + 4),
                        rs.getString(first + 5));
    }
}
