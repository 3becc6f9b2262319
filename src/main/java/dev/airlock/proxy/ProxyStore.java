package dev.airlock.proxy;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;

/** The proxy's cache tables ({@code proxy_packuments}, {@code proxy_tarballs}). */
interface ProxyStore {
    /**
     * A cached packument: the upstream's document (gzip) and validators, and the served copies built for {@code base}.
     */
    record Cached(
            String name,
            byte[] upstreamGz,
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

    /**
     * One served variant of a cached packument (full or abbreviated, gzip or not) with what decides whether it may be
     * sent as it is; its {@code upstreamGz} is null and the other variant's fields are empty. Null when not cached.
     */
    Cached variant(Tx tx, String name, boolean abbreviated, boolean gzip);

    void putPackument(Tx tx, Cached packument);

    /** Replaces the name's version dists (written with a new upstream document). */
    void putDists(Tx tx, String name, java.util.Map<String, UpstreamScan.Dist> dists);

    /** One version's dist; null when the stored document has no such version (or was stored before dists were). */
    UpstreamScan.Dist dist(Tx tx, String name, String version);

    void touch(Tx tx, String name, long fetchedAt);

    void deletePackument(Tx tx, String name);

    Tarball tarball(Tx tx, String name, String version);

    void putTarball(Tx tx, Tarball tarball, long fetchedAt);

    List<String> blobs(Tx tx);

    /** Whether a cached tarball refers to the blob {@code key}. */
    boolean referencesBlob(Tx tx, String key);

    /** Forgets the name's stored tarballs (they came from an upstream that no longer serves the name). */
    void deleteTarballs(Tx tx, String name);

    /** Rows cached before upstreams were recorded are marked as fetched from {@code upstream}. */
    void adopt(Tx tx, String upstream);

    Hidden hidden(Tx tx, String name);

    /** What a tarball read needs, in one query: the packument's hidden state, and the stored tarball (or null). */
    record TarballState(Hidden hidden, Tarball tarball) {}

    /** Null when the name's packument is not cached. */
    TarballState tarballState(Tx tx, String name, String version);

    /**
     * A warm read in one statement: the local package of the name ({@code local}, null when none exists here in any
     * state), and only when there is none, whose the name's scope is ({@code "org"}, {@code "user"}, or null; also
     * null for an unscoped name) and the cached variant (null when not cached).
     */
    record WarmPackument(dev.airlock.packages.LocalRows.Document local, String scopeOwner, Cached cached) {}

    /** {@link #variant}, read with the local package and the scope's owner: see {@link WarmPackument}. */
    WarmPackument warmPackument(Tx tx, String name, String scope, boolean abbreviated, boolean gzip);

    /** A tarball's warm read in one statement, as {@link WarmPackument}; {@code state} as {@link #tarballState}. */
    record WarmTarball(dev.airlock.packages.LocalRows.Tarball local, String scopeOwner, TarballState state) {}

    WarmTarball warmTarball(Tx tx, String name, String scope, String version);

    /** When this registry first saw each version of the name. */
    Map<String, Long> seen(Tx tx, String name);

    void putSeen(Tx tx, String name, Map<String, Long> firstSeen);

    List<Release.Rule> rules(Tx tx, String name);

    /** Every rule, by name. */
    List<NamedRule> rules(Tx tx);

    /** False when the same rule exists already. */
    boolean putRule(Tx tx, String name, Release.Rule rule);

    boolean deleteRule(Tx tx, String name, String kind, String spec);

    /** What a purge removed: the cached packuments and tarballs, and the tarballs' blob keys. */
    record Purged(int packuments, int tarballs, List<String> blobs) {}

    /**
     * Forgets the cached copies of {@code name} (every name when null): packument, dists and tarball rows. Operators'
     * rules and the first-seen times the cooldown counts from are kept.
     */
    Purged purge(Tx tx, String name);

    /** The served copies of the name are rebuilt on the next read. */
    void invalidate(Tx tx, String name);
}
