package dev.airlock.proxy;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;

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
            Served abbreviated,
            String hidden,
            Long recomputeAt,
            String upstream) {}

    /** The columns a tarball read needs: which versions are hidden, and when the served copies must be rebuilt. */
    record Hidden(String base, String hidden, Long recomputeAt, String upstream) {}

    /** One served representation: the JSON, its gzip copy and its ETag. */
    record Served(byte[] json, byte[] gzip, String etag) {}

    /** A stored tarball and the upstream (URL) it was fetched from. */
    record Tarball(String name, String version, String blob, long size, String integrity, String upstream) {}

    /** An operator's rule with the name it is for. */
    record NamedRule(String name, Release.Rule rule) {}

    Cached packument(Tx tx, String name);

    void putPackument(Tx tx, Cached packument);

    void touch(Tx tx, String name, long fetchedAt);

    void deletePackument(Tx tx, String name);

    Tarball tarball(Tx tx, String name, String version);

    void putTarball(Tx tx, Tarball tarball, long fetchedAt);

    List<String> blobs(Tx tx);

    /** Forgets the name's stored tarballs (they came from an upstream that no longer serves the name). */
    void deleteTarballs(Tx tx, String name);

    /** Rows cached before upstreams were recorded are marked as fetched from {@code upstream}. */
    void adopt(Tx tx, String upstream);

    Hidden hidden(Tx tx, String name);

    /** When this registry first saw each version of the name. */
    Map<String, Long> seen(Tx tx, String name);

    void putSeen(Tx tx, String name, Map<String, Long> firstSeen);

    List<Release.Rule> rules(Tx tx, String name);

    /** Every rule, by name. */
    List<NamedRule> rules(Tx tx);

    /** False when the same rule exists already. */
    boolean putRule(Tx tx, String name, Release.Rule rule);

    boolean deleteRule(Tx tx, String name, String kind, String spec);

    /** The served copies of the name are rebuilt on the next read. */
    void invalidate(Tx tx, String name);
}
