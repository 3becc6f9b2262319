package dev.airlock.proxy;

import dev.airlock.platform.db.Tx;
import java.util.List;

/** The SQL of the proxy cache, one statement per {@link ProxyStore} method. */
final class JdbiProxyStore implements ProxyStore {
    @Override
    public Cached packument(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM proxy_packuments WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> new Cached(
                        rs.getString("name"),
                        rs.getBytes("upstream_json"),
                        rs.getString("upstream_etag"),
                        rs.getString("upstream_last_modified"),
                        rs.getLong("fetched_at"),
                        rs.getString("base"),
                        new Served(rs.getBytes("full_json"), rs.getBytes("full_gz"), rs.getString("full_etag")),
                        new Served(
                                rs.getBytes("abbreviated_json"),
                                rs.getBytes("abbreviated_gz"),
                                rs.getString("abbreviated_etag"))))
                .findOne()
                .orElse(null);
    }

    @Override
    public void putPackument(Tx tx, Cached p) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO proxy_packuments (name, upstream_json, upstream_etag, upstream_last_modified,"
                                + " fetched_at, base, full_json, full_gz, full_etag, abbreviated_json, abbreviated_gz,"
                                + " abbreviated_etag) VALUES (:name, :up, :etag, :lm, :at, :base, :fj, :fg, :fe, :aj, :ag, :ae)"
                                + " ON CONFLICT (name) DO UPDATE SET upstream_json = excluded.upstream_json,"
                                + " upstream_etag = excluded.upstream_etag,"
                                + " upstream_last_modified = excluded.upstream_last_modified, fetched_at = excluded.fetched_at,"
                                + " base = excluded.base, full_json = excluded.full_json, full_gz = excluded.full_gz,"
                                + " full_etag = excluded.full_etag, abbreviated_json = excluded.abbreviated_json,"
                                + " abbreviated_gz = excluded.abbreviated_gz, abbreviated_etag = excluded.abbreviated_etag")
                .bind("name", p.name())
                .bind("up", text(p.upstreamJson()))
                .bind("etag", p.upstreamEtag())
                .bind("lm", p.upstreamLastModified())
                .bind("at", p.fetchedAt())
                .bind("base", p.base())
                .bind("fj", text(p.full().json()))
                .bind("fg", p.full().gzip())
                .bind("fe", p.full().etag())
                .bind("aj", text(p.abbreviated().json()))
                .bind("ag", p.abbreviated().gzip())
                .bind("ae", p.abbreviated().etag())
                .execute();
    }

    private static String text(byte[] utf8) {
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
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
        tx.handle()
                .createUpdate("DELETE FROM proxy_packuments WHERE name = :n")
                .bind("n", name)
                .execute();
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
                        rs.getString("integrity")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void putTarball(Tx tx, Tarball t, long fetchedAt) {
        tx.handle()
                .createUpdate("INSERT INTO proxy_tarballs (name, version, blob, size, integrity, fetched_at)"
                        + " VALUES (:n, :v, :b, :s, :i, :at) ON CONFLICT (name, version) DO NOTHING")
                .bind("n", t.name())
                .bind("v", t.version())
                .bind("b", t.blob())
                .bind("s", t.size())
                .bind("i", t.integrity())
                .bind("at", fetchedAt)
                .execute();
    }

    @Override
    public List<String> blobs(Tx tx) {
        return tx.handle()
                .createQuery("SELECT DISTINCT blob FROM proxy_tarballs")
                .mapTo(String.class)
                .list();
    }
}
