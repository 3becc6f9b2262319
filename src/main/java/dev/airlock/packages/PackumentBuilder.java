package dev.airlock.packages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.PackumentBytes;
import dev.airlock.shared.PackageName;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.semver4j.Semver;

/**
 * Builds the full and abbreviated (corgi) packuments from rows. Only published versions appear; unpublished ones keep
 * their {@code time} entry; staged ones appear nowhere.
 */
final class PackumentBuilder {
    /** Keys of the abbreviated format (registry docs + arborist's lockfile keys). */
    static final Set<String> CORGI_KEYS = dev.airlock.platform.npm.Corgi.KEYS;

    static final List<String> TOP_LEVEL_FROM_LATEST =
            List.of("description", "keywords", "license", "homepage", "repository", "bugs", "author");

    record Built(Document full, Document abbreviated, String rev, String searchText) {}

    private PackumentBuilder() {}

    /** The {@code _rev} npm echoes in /-rev/ paths: the revision number and a hash of what it stands for. */
    static String rev(PackageRecord pkg, int publishedCount) {
        String modified = Instant.ofEpochMilli(pkg.modifiedAt()).toString();
        String seed = pkg.revSeq() + ":" + modified + ":" + publishedCount;
        return pkg.revSeq() + "-" + Hashes.sha256Hex(seed).substring(0, 16);
    }

    static String highest(List<String> versions) {
        String best = null;
        for (String v : versions) {
            if (best == null || new Semver(v).isGreaterThan(new Semver(best))) {
                best = v;
            }
        }
        return best;
    }

    /**
     * A published version's manifest as the full packument serves it: the stored manifest with its tarball URL (and
     * attestations URL) under {@code base}, its deprecation, the package's maintainers and how it was authorised.
     */
    static ObjectNode served(String base, PackageName name, VersionRecord v, ArrayNode maintainerList) {
        ObjectNode manifest = (ObjectNode) Json.parse(v.manifestJson());
        ObjectNode dist = manifest.withObject("/dist");
        dist.put("tarball", PackumentBytes.tarballUrl(base, name, v.version()));
        if (dist.get("attestations") instanceof ObjectNode att) {
            // stored without the URL, which follows the public URL like the tarball's
            ObjectNode servedAtt = Json.object();
            servedAtt.put("url", base + "/-/npm/v1/attestations/" + name + "@" + v.version());
            servedAtt.setAll(att);
            dist.set("attestations", servedAtt);
        }
        if (v.deprecated() != null) {
            manifest.put("deprecated", v.deprecated());
        }
        manifest.set("maintainers", maintainerList);
        if (v.authorisation() != null) {
            // how this version was authorised: staged by whom or what, approved by whom, with which factor
            manifest.set("airlock", Json.parse(v.authorisation()));
        }
        return manifest;
    }

    /** The abbreviated (corgi) form of a served manifest: its {@link #CORGI_KEYS}, in the manifest's order. */
    static ObjectNode corgi(ObjectNode manifest) {
        ObjectNode corgi = Json.object();
        manifest.properties().forEach(e -> {
            if (CORGI_KEYS.contains(e.getKey())) {
                corgi.set(e.getKey(), e.getValue());
            }
        });
        return corgi;
    }

    /** The maintainers as every document lists them: {@code [{name, email}]} in the order they were added. */
    static ArrayNode maintainerList(Map<String, String> maintainers) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        maintainers.forEach((user, email) -> list.addObject().put("name", user).put("email", email));
        return list;
    }

    /**
     * Both documents built from every row at once: the reference the incremental form ({@link PackumentParts}) is
     * assembled to equal, byte for byte (PackumentPartsTest).
     */
    static Built build(
            String base,
            PackageRecord pkg,
            List<VersionRecord> rows,
            Map<String, String> tags,
            Map<String, String> maintainers) {
        PackageName name = PackageName.parse(pkg.name());
        ObjectNode full = Json.object();
        ObjectNode abbreviatedVersions = Json.object();
        ObjectNode versions = Json.object();
        ObjectNode time = Json.object();
        ArrayNode maintainerList = maintainerList(maintainers);

        String modified = Instant.ofEpochMilli(pkg.modifiedAt()).toString();
        time.put("created", Instant.ofEpochMilli(pkg.createdAt()).toString());
        time.put("modified", modified);
        VersionRecord latest = null;
        String latestVersion = tags.get("latest");
        List<String> published = rows.stream()
                .filter(VersionRecord::published)
                .map(VersionRecord::version)
                .toList();
        if (latestVersion == null) {
            latestVersion = highest(published);
        }
        for (VersionRecord v : rows) {
            if (v.published() || v.state() == VersionState.UNPUBLISHED) {
                if (v.publishedAt() != null) {
                    time.put(v.version(), Instant.ofEpochMilli(v.publishedAt()).toString());
                }
            }
            if (!v.published()) {
                continue;
            }
            ObjectNode manifest = served(base, name, v, maintainerList);
            versions.set(v.version(), manifest);
            ObjectNode corgi = corgi(manifest);
            abbreviatedVersions.set(v.version(), corgi);
            if (v.version().equals(latestVersion)) {
                latest = v;
            }
        }

        ObjectNode distTags = Json.object();
        tags.forEach(distTags::put);

        full.put("_id", name.toString());
        String rev = rev(pkg, versions.size());
        full.put("_rev", rev);
        full.put("name", name.toString());
        StringBuilder search = new StringBuilder(name.toString());
        if (latest != null) {
            JsonNode latestManifest = versions.get(latest.version());
            for (String key : TOP_LEVEL_FROM_LATEST) {
                if (latestManifest.has(key)) {
                    full.set(key, latestManifest.get(key));
                }
            }
            search.append(' ').append(latestManifest.path("description").asText(""));
            for (JsonNode k : latestManifest.path("keywords")) {
                search.append(' ').append(k.asText());
            }
        }
        full.set("dist-tags", distTags);
        full.set("versions", versions);
        full.set("time", time);
        full.set("maintainers", maintainerList);
        full.put("readme", latest != null && latest.readme() != null ? latest.readme() : "");
        if (latest != null) {
            JsonNode filename = Json.parse(latest.manifestJson()).get("readmeFilename");
            if (filename != null) {
                full.set("readmeFilename", filename);
            }
        }
        full.set("users", Json.object());

        ObjectNode abbreviated = Json.object();
        abbreviated.put("name", name.toString());
        abbreviated.put("modified", modified);
        abbreviated.set("dist-tags", distTags);
        abbreviated.set("versions", abbreviatedVersions);

        String fullJson = Json.write(full);
        String abbreviatedJson = Json.write(abbreviated);
        return new Built(
                new Document(fullJson, PackumentBytes.etag(fullJson), PackumentBytes.gzip(fullJson)),
                new Document(
                        abbreviatedJson, PackumentBytes.etag(abbreviatedJson), PackumentBytes.gzip(abbreviatedJson)),
                rev,
                search.toString().toLowerCase(Locale.ROOT));
    }
}
