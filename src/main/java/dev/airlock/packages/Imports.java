package dev.airlock.packages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.PackumentBytes;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Versions that already exist elsewhere coming in with their history (an import from another registry, a Verdaccio
 * storage or a directory of tarballs): published as they were, at the time they were published there, with their
 * dist-tags and deprecations, and marked as imported in their authorisation field. The caller verified every tarball
 * and stored its blob; the operator who runs the import is the actor. One transaction per batch of one package.
 */
public final class Imports {
    private final PackageRows rows;

    Imports(PackageRows rows) {
        this.rows = rows;
    }

    /** A verified version whose tarball is in the blob store; {@code publishedAt} in epoch millis. */
    public record ImportedVersion(
            String version,
            ObjectNode manifest,
            String readme,
            String integrity,
            String shasum,
            String blob,
            long size,
            long publishedAt,
            String deprecated) {}

    /**
     * One package's batch: when it was created at the source (null: its first version's time), the versions, the
     * source's dist-tags, the local users who maintain it (applied only when the import creates the package), the
     * access of a package the import creates, and the authorisation every version records.
     */
    public record Batch(
            Long createdAt,
            List<ImportedVersion> versions,
            Map<String, String> distTags,
            List<String> maintainers,
            String access,
            Map<String, Object> authorisation) {}

    /** What the batch did: versions committed, and versions left alone with why. */
    public record Outcome(List<String> imported, Map<String, String> refused, List<String> tagsSet) {}

    /**
     * The versions of {@code name} present here (version → integrity, any state), or an empty map for a package that
     * does not exist. A package that exists here only as a staging reservation, or was unpublished, takes no import.
     */
    public Map<String, String> present(PackageName name) {
        return rows.db.read(tx -> {
            PackageRecord pkg = rows.store.find(tx, name.toString());
            Map<String, String> out = new LinkedHashMap<>();
            if (pkg == null) {
                return out;
            }
            requireImportable(pkg);
            for (VersionRecord v : rows.store.versions(tx, name.toString())) {
                out.put(v.version(), v.integrity());
            }
            return out;
        });
    }

    private static void requireImportable(PackageRecord pkg) {
        if (!pkg.active()) {
            throw AirlockException.conflict(pkg.name() + " exists here as a "
                    + (pkg.state() == PackageState.STAGED ? "name reserved by a staged version" : "unpublished package")
                    + "; nothing is imported into it.");
        }
    }

    /** Commits the batch in one transaction; versions already present (any state) are left alone. */
    public Outcome commit(Actor actor, PackageName name, Batch batch) {
        String authorisation = Json.write(batch.authorisation());
        return rows.db.write(tx -> {
            long now = rows.clock.millis();
            String pkgName = name.toString();
            PackageRecord pkg = rows.store.find(tx, pkgName);
            if (pkg == null) {
                long created = batch.createdAt() != null
                        ? batch.createdAt()
                        : batch.versions().stream()
                                .mapToLong(ImportedVersion::publishedAt)
                                .min()
                                .orElse(now);
                String access = batch.access() == null ? PackageRecord.PUBLIC : batch.access();
                pkg = new PackageRecord(pkgName, name.scope(), access, PackageState.ACTIVE, 0, created, now);
                rows.store.insert(tx, pkg);
                for (String user : batch.maintainers()) {
                    if (rows.store.userExists(tx, user)) {
                        rows.store.addMaintainer(tx, pkgName, user, now);
                    }
                }
            } else {
                requireImportable(pkg);
            }
            List<String> imported = new ArrayList<>();
            Map<String, String> refused = new LinkedHashMap<>();
            for (ImportedVersion v : batch.versions()) {
                VersionRecord existing = rows.store.version(tx, pkgName, v.version());
                if (existing != null) {
                    if (!existing.published() || !existing.integrity().equals(v.integrity())) {
                        refused.put(
                                v.version(),
                                "a different " + existing.state().wire() + " " + pkgName + "@" + v.version()
                                        + " exists here; it is left as it is");
                    }
                    continue;
                }
                ObjectNode signed = rows.sign(v.manifest().deepCopy(), pkgName, v.version(), v.integrity());
                rows.store.insertVersion(
                        tx,
                        new VersionRecord(
                                pkgName,
                                v.version(),
                                VersionState.PUBLISHED,
                                Json.write(signed),
                                v.readme(),
                                v.integrity(),
                                v.shasum(),
                                v.blob(),
                                v.size(),
                                v.publishedAt(),
                                v.publishedAt(),
                                actor.user(),
                                v.deprecated(),
                                authorisation));
                imported.add(v.version());
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("version", v.version());
                detail.put("integrity", v.integrity());
                detail.put("source", batch.authorisation().get("source"));
                rows.audit.record(tx, actor, "package.import", "package:" + pkgName, detail);
            }
            List<String> tagsSet = imported.isEmpty() ? List.of() : applyTags(tx, pkgName, batch.distTags());
            if (!imported.isEmpty()) {
                rows.touch(tx, pkg, now);
            }
            return new Outcome(imported, refused, tagsSet);
        });
    }

    /**
     * The source's dist-tags, where they point at a version published here and the local tag is absent or points at
     * an imported version (a tag a local publish set stays); then {@code latest}, if still absent, on the highest
     * published version (a release rather than a prerelease when there is one).
     */
    private List<String> applyTags(Tx tx, String name, Map<String, String> sourceTags) {
        Map<String, VersionRecord> published = new LinkedHashMap<>();
        for (VersionRecord v : rows.store.versions(tx, name)) {
            if (v.published()) {
                published.put(v.version(), v);
            }
        }
        Map<String, String> local = rows.store.tags(tx, name);
        List<String> set = new ArrayList<>();
        sourceTags.forEach((tag, version) -> {
            if (!validTag(tag) || !published.containsKey(version) || version.equals(local.get(tag))) {
                return;
            }
            VersionRecord current = local.get(tag) == null ? null : published.get(local.get(tag));
            if (local.get(tag) == null || current == null || imported(current)) {
                rows.store.setTag(tx, name, tag, version);
                local.put(tag, version);
                set.add(tag + "=" + version);
            }
        });
        if (!local.containsKey("latest") && !published.isEmpty()) {
            String best = PackumentBytes.highestRelease(published.keySet());
            rows.store.setTag(tx, name, "latest", best);
            set.add("latest=" + best);
        }
        return set;
    }

    private static boolean imported(VersionRecord v) {
        return v.authorisation() != null
                && "import".equals(Json.parse(v.authorisation()).path("method").asText());
    }

    private static boolean validTag(String tag) {
        try {
            DistTags.validTag(tag);
            return true;
        } catch (AirlockException e) {
            return false;
        }
    }
}
