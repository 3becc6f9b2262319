package dev.airlock.packages;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;

interface PackageStore {
    PackageRecord find(Tx tx, String name);

    void insert(Tx tx, PackageRecord p);

    void update(Tx tx, PackageRecord p);

    List<VersionRecord> versions(Tx tx, String name);

    VersionRecord version(Tx tx, String name, String version);

    void insertVersion(Tx tx, VersionRecord v);

    void setVersionState(Tx tx, String name, String version, VersionState state, boolean freeBlob);

    void setDeprecated(Tx tx, String name, String version, String message);

    Map<String, String> tags(Tx tx, String name);

    void setTag(Tx tx, String name, String tag, String version);

    void removeTag(Tx tx, String name, String tag);

    /** Maintainers with their emails, in the order they were added. */
    Map<String, String> maintainers(Tx tx, String name);

    void addMaintainer(Tx tx, String name, String user, long at);

    void removeMaintainer(Tx tx, String name, String user);

    void savePackument(
            Tx tx, String name, Document full, Document abbreviated, String rev, long modified, String searchText);

    void deletePackument(Tx tx, String name);

    /**
     * The served document with its package's visibility: one indexed row. The body is the stored UTF-8 JSON as bytes
     * (no String round trip), or with {@code gzip} the stored gzip copy when there is one ({@link Served#gzip()}).
     * Null when no package of that name exists in any state; a package with no packument has a null etag and body.
     */
    Served served(Tx tx, String name, boolean abbreviated, boolean gzip);

    /**
     * A published version's tarball with its package's visibility: one indexed row. Null when no package of that
     * name exists in any state; a package without that published version has a null blob.
     */
    Served servedTarball(Tx tx, String name, String version);

    String rev(Tx tx, String name);

    Map<String, String> teamGrants(Tx tx, String name);

    void grant(Tx tx, String org, String team, String name, String permission);

    void revoke(Tx tx, String org, String team, String name);

    Map<String, String> teamPackages(Tx tx, String org, String team);

    List<String> byScope(Tx tx, String scope);

    List<String> byMaintainer(Tx tx, String user);

    List<String> search(Tx tx, List<String> terms, int limit, int offset);

    List<String> allNames(Tx tx);

    void publishStaged(Tx tx, String name, String version, long at, String authorisation);

    /** Replaces a version's manifest (its registry signature is written into it). */
    void setManifest(Tx tx, String name, String version, String manifestJson);

    void deleteStaged(Tx tx, String name, String version);

    /** Removes a reserved (never published) package row and its maintainers. */
    void deleteReserved(Tx tx, String name);

    boolean userExists(Tx tx, String user);

    List<String> referencedBlobs(Tx tx);

    /** Whether any version (in any state) refers to the blob {@code key}. */
    boolean referencesBlob(Tx tx, String key);

    /** Names of packages in any state whose lowercase spelling is {@code lowercase}. */
    List<String> namesIgnoringCase(Tx tx, String lowercase);

    /** {@code body}: a document's bytes (gzip-encoded when {@code gzip}); null for a tarball. */
    record Served(
            String name, String scope, String access, byte[] body, boolean gzip, String etag, String blob, long size) {}
}
