package dev.airlock.proxy;

import dev.airlock.packages.JdbiLocalRows;
import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The SQL of the proxy cache, one statement per {@link ProxyStore} method. */
final class JdbiProxyStore implements ProxyStore {
    @Override
    public Cached packument(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM proxy_packuments WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> new Cached(
                        rs.getString("name"),
                        upstreamGz(rs.getBytes("upstream_gz"), rs.getBytes("upstream_json")),
                        rs.getString("upstream_etag"),
                        rs.getString("upstream_last_modified"),
                        rs.getLong("fetched_at"),
                        rs.getString("base"),
                        new Served(rs.getBytes("full_json"), rs.getBytes("full_gz"), rs.getString("full_etag")),
                        new Served(
                                rs.getBytes("abbreviated_json"),
                                rs.getBytes("abbreviated_gz"),
                                rs.getString("abbreviated_etag")),
                        rs.getString("hidden"),
                        recomputeAt(rs),
                        rs.getString("upstream")))
                .findOne()
                .orElse(null);
    }

    /** Rows stored before V21 hold the upstream's document as text: compressed here, as newer rows keep it. */
    private static byte[] upstreamGz(byte[] gz, byte[] json) {
        if (gz != null) {
            return gz;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(json == null ? new byte[0] : json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public Cached variant(Tx tx, String name, boolean abbreviated, boolean gzip) {
        return tx.handle()
                .createQuery(
                        "SELECT " + variantColumns(abbreviated, gzip) + " FROM proxy_packuments x WHERE x.name = :n")
                .bind("n", name)
                .map((rs, c) -> variant(rs, 1, name, abbreviated, gzip))
                .findOne()
                .orElse(null);
    }

    /** Eleven columns of {@code proxy_packuments x}, read by {@link #variant(ResultSet, int, String, boolean, boolean)}. */
    private static String variantColumns(boolean abbreviated, boolean gzip) {
        String kind = abbreviated ? "abbreviated" : "full";
        return "x.name, x." + kind + (gzip ? "_gz" : "_json") + ", x." + kind + "_etag, x.upstream_etag,"
                + " x.upstream_last_modified, x.fetched_at, x.base, x.hidden, x.recompute_at, x.upstream";
    }

    /** The variant from the columns starting at {@code first}; null when the name is not cached (no x.name). */
    private static Cached variant(ResultSet rs, int first, String name, boolean abbreviated, boolean gzip)
            throws SQLException {
        if (rs.getString(first) == null) {
            return null;
        }
        // getBytes on a text column hands over its UTF-8 bytes as stored: no decoding to a String
        byte[] body = rs.getBytes(first + 1);
        Served s = new Served(gzip ? null : body, gzip ? body : null, rs.getString(first + 2));
        Served none = new Served(null, null, null);
        Long recomputeAt = nullableLong(rs, first + 8);
        return new Cached(
                name,
                null,
                rs.getString(first + 3),
                rs.getString(first + 4),
                rs.getLong(first + 5),
                rs.getString(first + 6),
                abbreviated ? none : s,
                abbreviated ? s : none,
                rs.getString(first + 7),
                recomputeAt,
                rs.getString(first + 9));
    }

    /**
     * Whose the scope {@code :s} is, asked only when no local package has the name (CASE evaluates lazily): two
     * columns, the org count and the user count.
     */
    private static final String SCOPE_OWNER =
            "CASE WHEN p.name IS NULL THEN (SELECT COUNT(*) FROM orgs o WHERE o.name = :s)"
                    + " END, CASE WHEN p.name IS NULL THEN (SELECT COUNT(*) FROM users u WHERE u.name = :s) END";

    private static String scopeOwner(ResultSet rs, int first) throws SQLException {
        return rs.getInt(first) > 0 ? "org" : rs.getInt(first + 1) > 0 ? "user" : null;
    }

    @Override
    public WarmPackument warmPackument(Tx tx, String name, String scope, boolean abbreviated, boolean gzip) {
        // one statement: the local package wins (its columns first); the proxy's row is joined only when there is none
        return tx.handle()
                .createQuery("SELECT " + JdbiLocalRows.documentColumns(abbreviated, gzip) + ", " + SCOPE_OWNER + ", "
                        + variantColumns(abbreviated, gzip) + " FROM (SELECT 1 AS one) q" + JdbiLocalRows.DOCUMENT_JOIN
                        + " LEFT JOIN proxy_packuments x ON x.name = :n AND p.name IS NULL")
                .bind("n", name)
                .bind("s", scope)
                .map((rs, c) -> new WarmPackument(
                        JdbiLocalRows.document(rs, 1), scopeOwner(rs, 6), variant(rs, 8, name, abbreviated, gzip)))
                .one();
    }

    @Override
    public WarmTarball warmTarball(Tx tx, String name, String scope, String version) {
        return tx.handle()
                .createQuery(
                        "SELECT " + JdbiLocalRows.TARBALL_COLUMNS + ", " + SCOPE_OWNER + ", " + TARBALL_STATE_COLUMNS
                                + " FROM (SELECT 1 AS one) q" + JdbiLocalRows.TARBALL_JOIN
                                + " LEFT JOIN proxy_packuments x ON x.name = :n AND p.name IS NULL"
                                + " LEFT JOIN proxy_tarballs t ON t.name = x.name AND t.version = :v")
                .bind("n", name)
                .bind("s", scope)
                .bind("v", version)
                .map((rs, c) -> new WarmTarball(
                        JdbiLocalRows.tarball(rs, 1), scopeOwner(rs, 7), tarballState(rs, 9, name, version)))
                .one();
    }

    @Override
    public void putDists(Tx tx, String name, Map<String, UpstreamScan.Dist> dists) {
        tx.handle()
                .createUpdate("DELETE FROM proxy_dists WHERE name = :n")
                .bind("n", name)
                .execute();
        if (dists.isEmpty()) {
            return;
        }
        PreparedBatch batch = tx.handle()
                .prepareBatch("INSERT INTO proxy_dists (name, version, integrity, shasum, tarball)"
                        + " VALUES (:n, :v, :i, :s, :t)");
        dists.forEach((v, d) -> batch.bind("n", name)
                .bind("v", v)
                .bind("i", d.integrity())
                .bind("s", d.shasum())
                .bind("t", d.tarball())
                .add());
        batch.execute();
    }

    @Override
    public UpstreamScan.Dist dist(Tx tx, String name, String version) {
        return tx.handle()
                .createQuery("SELECT integrity, shasum, tarball FROM proxy_dists WHERE name = :n AND version = :v")
                .bind("n", name)
                .bind("v", version)
                .map((rs, c) -> new UpstreamScan.Dist(rs.getString(1), rs.getString(2), rs.getString(3)))
                .findOne()
                .orElse(null);
    }

    @Override
    public void putPackument(Tx tx, Cached p) {
        boolean sqlite = sqlite(tx);
        tx.handle()
                .createUpdate("INSERT INTO proxy_packuments (name, upstream_json, upstream_gz, upstream_etag,"
                        + " upstream_last_modified, fetched_at, base, full_json, full_gz, full_etag,"
                        + " abbreviated_json, abbreviated_gz, abbreviated_etag, hidden, recompute_at, upstream)"
                        + " VALUES (:name, '', :up, :etag, :lm, :at, :base, " + text(sqlite, "fj") + ", :fg, :fe, "
                        + text(sqlite, "aj") + ", :ag, :ae, :hidden,"
                        + " :recompute, :upstream)"
                        + " ON CONFLICT (name) DO UPDATE SET upstream_json = excluded.upstream_json,"
                        + " upstream_gz = excluded.upstream_gz,"
                        + " upstream_etag = excluded.upstream_etag,"
                        + " upstream_last_modified = excluded.upstream_last_modified, fetched_at = excluded.fetched_at,"
                        + " base = excluded.base, full_json = excluded.full_json, full_gz = excluded.full_gz,"
                        + " full_etag = excluded.full_etag, abbreviated_json = excluded.abbreviated_json,"
                        + " abbreviated_gz = excluded.abbreviated_gz, abbreviated_etag = excluded.abbreviated_etag,"
                        + " hidden = excluded.hidden, recompute_at = excluded.recompute_at,"
                        + " upstream = excluded.upstream")
                .bind("name", p.name())
                .bind("up", p.upstreamGz())
                .bind("etag", p.upstreamEtag())
                .bind("lm", p.upstreamLastModified())
                .bind("at", p.fetchedAt())
                .bind("base", p.base())
                .bind("fj", p.full().json())
                .bind("fg", p.full().gzip())
                .bind("fe", p.full().etag())
                .bind("aj", p.abbreviated().json())
                .bind("ag", p.abbreviated().gzip())
                .bind("ae", p.abbreviated().etag())
                .bind("hidden", p.hidden())
                .bind("recompute", p.recomputeAt())
                .bind("upstream", p.upstream())
                .execute();
    }

    /**
     * The SQL value of a served document's UTF-8 bytes bound as {@code :param}, for a text column. The bytes are sent
     * as they are, never copied into a String and encoded back (for a 9 MB document with non-Latin-1 characters that
     * is 18 MB of UTF-16 and another 9 MB, more than the default heap can spare): SQLite stores them as given (reads
     * use getBytes, which hands them back unchanged); PostgreSQL receives bytea and converts it to text itself.
     */
    private static String text(boolean sqlite, String param) {
        return sqlite ? ":" + param : "convert_from(:" + param + ", 'UTF8')";
    }

    private static boolean sqlite(Tx tx) {
        try {
            return tx.handle().getConnection().getMetaData().getURL().startsWith("jdbc:sqlite:");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Purged purge(Tx tx, String name) {
        String where = name == null ? "" : " WHERE name = :n";
        Map<String, Object> n = name == null ? Map.of() : Map.of("n", name);
        List<String> blobs = tx.handle()
                .createQuery("SELECT blob FROM proxy_tarballs" + where)
                .bindMap(n)
                .mapTo(String.class)
                .list();
        int tarballs = tx.handle()
                .createUpdate("DELETE FROM proxy_tarballs" + where)
                .bindMap(n)
                .execute();
        tx.handle().createUpdate("DELETE FROM proxy_dists" + where).bindMap(n).execute();
        int packuments = tx.handle()
                .createUpdate("DELETE FROM proxy_packuments" + where)
                .bindMap(n)
                .execute();
        return new Purged(packuments, tarballs, blobs);
    }

    @Override
    public void touch(Tx tx, String name, long fetchedAt) {
        tx.handle()
                .createUpdate("UPDATE proxy_packuments SET fetched_at = :at WHERE name = :n")
                .bind("n", name)
                .bind("at", fetchedAt)
                .execute();
    }

    @Override
    public void deletePackument(Tx tx, String name) {
        for (String table : List.of("proxy_packuments", "proxy_dists")) {
            tx.handle()
                    .createUpdate("DELETE FROM " + table + " WHERE name = :n")
                    .bind("n", name)
                    .execute();
        }
    }

    @Override
    public Tarball tarball(Tx tx, String name, String version) {
        return tx.handle()
                .createQuery("SELECT * FROM proxy_tarballs WHERE name = :n AND version = :v")
                .bind("n", name)
                .bind("v", version)
                .map((rs, c) -> new Tarball(
                        rs.getString("name"),
                        rs.getString("version"),
                        rs.getString("blob"),
                        rs.getLong("size"),
                        rs.getString("integrity"),
                        rs.getString("upstream")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void putTarball(Tx tx, Tarball t, long fetchedAt) {
        tx.handle()
                .createUpdate("INSERT INTO proxy_tarballs (name, version, blob, size, integrity, fetched_at, upstream)"
                        + " VALUES (:n, :v, :b, :s, :i, :at, :u) ON CONFLICT (name, version) DO UPDATE SET"
                        + " blob = excluded.blob, size = excluded.size, integrity = excluded.integrity,"
                        + " fetched_at = excluded.fetched_at, upstream = excluded.upstream")
                .bind("n", t.name())
                .bind("v", t.version())
                .bind("b", t.blob())
                .bind("s", t.size())
                .bind("i", t.integrity())
                .bind("at", fetchedAt)
                .bind("u", t.upstream())
                .execute();
    }

    @Override
    public List<String> blobs(Tx tx) {
        return tx.handle()
                .createQuery("SELECT DISTINCT blob FROM proxy_tarballs")
                .mapTo(String.class)
                .list();
    }

    @Override
    public boolean referencesBlob(Tx tx, String key) {
        return tx.handle()
                .createQuery("SELECT 1 FROM proxy_tarballs WHERE blob = :b LIMIT 1")
                .bind("b", key)
                .mapTo(Integer.class)
                .findFirst()
                .isPresent();
    }

    @Override
    public void deleteTarballs(Tx tx, String name) {
        tx.handle()
                .createUpdate("DELETE FROM proxy_tarballs WHERE name = :n")
                .bind("n", name)
                .execute();
    }

    @Override
    public void adopt(Tx tx, String upstream) {
        for (String table : List.of("proxy_packuments", "proxy_tarballs")) {
            tx.handle()
                    .createUpdate("UPDATE " + table + " SET upstream = :u WHERE upstream IS NULL")
                    .bind("u", upstream)
                    .execute();
        }
    }

    private static Long recomputeAt(ResultSet rs) throws SQLException {
        return nullableLong(rs, rs.findColumn("recompute_at"));
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    @Override
    public Hidden hidden(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT base, hidden, recompute_at, upstream FROM proxy_packuments WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> new Hidden(
                        rs.getString("base"), rs.getString("hidden"), recomputeAt(rs), rs.getString("upstream")))
                .findOne()
                .orElse(null);
    }

    @Override
    public TarballState tarballState(Tx tx, String name, String version) {
        return tx.handle()
                .createQuery("SELECT " + TARBALL_STATE_COLUMNS + " FROM proxy_packuments x LEFT JOIN proxy_tarballs t"
                        + " ON t.name = x.name AND t.version = :v WHERE x.name = :n")
                .bind("n", name)
                .bind("v", version)
                .map((rs, c) -> tarballState(rs, 1, name, version))
                .findOne()
                .orElse(null);
    }

    /** Nine columns of {@code proxy_packuments x} and {@code proxy_tarballs t}, read by {@link #tarballState(ResultSet, int, String, String)}. */
    private static final String TARBALL_STATE_COLUMNS =
            "x.name, x.base, x.hidden, x.recompute_at, x.upstream, t.blob, t.size, t.integrity, t.upstream";

    /** Null when the packument is not cached (no x.name). */
    private static TarballState tarballState(ResultSet rs, int first, String name, String version) throws SQLException {
        if (rs.getString(first) == null) {
            return null;
        }
        Long recomputeAt = nullableLong(rs, first + 3);
        String blob = rs.getString(first + 5);
        return new TarballState(
                new Hidden(rs.getString(first + 1), rs.getString(first + 2), recomputeAt, rs.getString(first + 4)),
                blob == null
                        ? null
                        : new Tarball(
                                name,
                                version,
                                blob,
                                rs.getLong(first + 6),
                                rs.getString(first + 7),
                                rs.getString(first + 8)));
    }

    @Override
    public Map<String, Long> seen(Tx tx, String name) {
        Map<String, Long> out = new HashMap<>();
        tx.handle()
                .createQuery("SELECT version, first_seen FROM proxy_seen WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> out.put(rs.getString("version"), rs.getLong("first_seen")))
                .list();
        return out;
    }

    @Override
    public void putSeen(Tx tx, String name, Map<String, Long> firstSeen) {
        if (firstSeen.isEmpty()) {
            return;
        }
        PreparedBatch batch = tx.handle()
                .prepareBatch("INSERT INTO proxy_seen (name, version, first_seen) VALUES (:n, :v, :at)"
                        + " ON CONFLICT (name, version) DO NOTHING");
        firstSeen.forEach(
                (v, at) -> batch.bind("n", name).bind("v", v).bind("at", at).add());
        batch.execute();
    }

    @Override
    public List<Release.Rule> rules(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM proxy_rules WHERE name = :n ORDER BY created_at, spec")
                .bind("n", name)
                .map((rs, c) -> new Release.Rule(
                        rs.getString("kind"),
                        rs.getString("spec"),
                        rs.getString("reason"),
                        rs.getString("actor"),
                        rs.getLong("created_at")))
                .list();
    }

    @Override
    public List<NamedRule> rules(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM proxy_rules ORDER BY name, kind, created_at, spec")
                .map((rs, c) -> new NamedRule(
                        rs.getString("name"),
                        new Release.Rule(
                                rs.getString("kind"),
                                rs.getString("spec"),
                                rs.getString("reason"),
                                rs.getString("actor"),
                                rs.getLong("created_at"))))
                .list();
    }

    @Override
    public boolean putRule(Tx tx, String name, Release.Rule r) {
        return tx.handle()
                        .createUpdate("INSERT INTO proxy_rules (name, kind, spec, reason, actor, created_at)"
                                + " VALUES (:n, :k, :s, :r, :a, :at) ON CONFLICT (name, kind, spec) DO NOTHING")
                        .bind("n", name)
                        .bind("k", r.kind())
                        .bind("s", r.spec())
                        .bind("r", r.reason())
                        .bind("a", r.actor())
                        .bind("at", r.at())
                        .execute()
                > 0;
    }

    @Override
    public boolean deleteRule(Tx tx, String name, String kind, String spec) {
        return tx.handle()
                        .createUpdate("DELETE FROM proxy_rules WHERE name = :n AND kind = :k AND spec = :s")
                        .bind("n", name)
                        .bind("k", kind)
                        .bind("s", spec)
                        .execute()
                > 0;
    }

    @Override
    public void invalidate(Tx tx, String name) {
        tx.handle()
                .createUpdate("UPDATE proxy_packuments SET recompute_at = 0 WHERE name = :n")
                .bind("n", name)
                .execute();
    }
}
