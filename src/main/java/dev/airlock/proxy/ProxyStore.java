package dev.airlock.proxy;

import dev.airlock.platform.db.Tx;
import java.util.List;

/** The proxy's cache tables ({@code proxy_packuments}, {@code proxy_tarballs}). */
interface ProxyStore {
    /** A cached packument: the upstream's bytes and validators, and the served copies built for {@code base}. */
    record Cached(
            String name,
            byte[] upstreamJson,
            String upstreamEtag,
            String upstreamLastModified,
            long fetchedAt,
            String base,
            Served full,
            Served abbreviated) {}

    /** One served representation: the JSON, its gzip copy and its ETag. */
    record Served(byte[] json, byte[] gzip, String etag) {}

    record Tarball(String name, String version, String blob, long size, String integrity) {}

    Cached packument(Tx tx, String name);

    void putPackument(Tx tx, Cached packument);

    void touch(Tx tx, String name, long fetchedAt);

    void deletePackument(Tx tx, String name);

    Tarball tarball(Tx tx, String name, String version);

    void putTarball(Tx tx, Tarball tarball, long fetchedAt);

    List<String> blobs(Tx tx);
}
