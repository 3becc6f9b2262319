package dev.airlock.platform.db;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Column helpers that behave the same on SQLite and PostgreSQL. */
public final class Rows {
    private Rows() {}

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
