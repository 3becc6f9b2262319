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

    /** Writes (or rewrites) one published version's rendered fragments. */
    void saveFragment(Tx tx, String name, PackumentParts.Fragment fragment);

    void deleteFragments(Tx tx, String name);

    /** The package's stored head, or null when it has none (nothing published). */
    PackumentParts.Head head(Tx tx, String name);

    void saveHead(Tx tx, String name, PackumentParts.Head head, long modified);

    void deleteHead(Tx tx, String name);

    /** The published version numbers (for the rare changes that must find the highest). */
    List<String> publishedVersions(Tx tx, String name);

    int countPublished(Tx tx, String name);

    /**
     * Everything the served documents of {@code name} are assembled from, read in one statement: the package row,
     * its head (null fields when none) and its published and unpublished versions' rows in publication order. Null
     * when no package has the name.
     */
    Assembly assembly(Tx tx, String name);

    record Assembly(
            String name,
            String scope,
            String access,
            PackageState state,
            String headJson,
            String rev,
            List<PackumentParts.Row> rows) {}

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
