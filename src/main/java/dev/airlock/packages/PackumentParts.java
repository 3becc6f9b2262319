package dev.airlock.packages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.PackageName;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The packuments in parts (docs/adr/0017-incremental-packuments.md): each published version's rendered fragments
 * (its served manifest and its abbreviated form), written when the version goes live or changes, and a small head per
 * package (dist-tags, created/modified, {@code _rev}, what the documents take from the latest version, maintainers),
 * written on every change. A read assembles both documents from the head and the fragments by concatenation: the
 * bytes equal what {@link PackumentBuilder#build} makes from every row (PackumentPartsTest), without parsing a
 * manifest.
 */
final class PackumentParts {
    private PackumentParts() {}

    /** One published version's rendered fragments. */
    record Fragment(String version, String full, String corgi) {}

    /** A package's head as stored: its JSON, {@code _rev}, latest version, count of published versions, search text. */
    record Head(String json, String rev, String latest, int count, String searchText) {}

    /** A version row as assembly reads it: its time entry and, when published, its fragments. */
    record Row(String version, VersionState state, Long publishedAt, String full, String corgi) {}

    /** Both assembled documents. */
    record Assembled(String full, String abbreviated) {}

    static Fragment fragment(String base, PackageName name, VersionRecord v, ArrayNode maintainers) {
        ObjectNode manifest = PackumentBuilder.served(base, name, v, maintainers);
        return new Fragment(v.version(), Json.write(manifest), Json.write(PackumentBuilder.corgi(manifest)));
    }

    /**
     * The head of {@code pkg} (its revision already bumped) with {@code count} published versions; {@code latest}
     * is the published version the documents take their top-level fields and readme from, or null.
     */
    static Head head(
            PackageRecord pkg,
            int count,
            Map<String, String> tags,
            Map<String, String> maintainers,
            VersionRecord latest) {
        ObjectNode head = Json.object();
        head.put("created", Instant.ofEpochMilli(pkg.createdAt()).toString());
        head.put("modified", Instant.ofEpochMilli(pkg.modifiedAt()).toString());
        head.put("count", count);
        ObjectNode top = head.putObject("top");
        StringBuilder search = new StringBuilder(pkg.name());
        String readme = "";
        if (latest != null) {
            JsonNode manifest = Json.parse(latest.manifestJson());
            // the served manifest differs from the stored one only in keys that are not taken to the top
            for (String key : PackumentBuilder.TOP_LEVEL_FROM_LATEST) {
                if (manifest.has(key)) {
                    top.set(key, manifest.get(key));
                }
            }
            search.append(' ').append(manifest.path("description").asText(""));
            for (JsonNode k : manifest.path("keywords")) {
                search.append(' ').append(k.asText());
            }
            readme = latest.readme() != null ? latest.readme() : "";
            if (manifest.get("readmeFilename") != null) {
                head.set("readmeFilename", manifest.get("readmeFilename"));
            }
        }
        ObjectNode distTags = head.putObject("distTags");
        tags.forEach(distTags::put);
        head.set("maintainers", PackumentBuilder.maintainerList(maintainers));
        head.put("readme", readme);
        return new Head(
                Json.write(head),
                PackumentBuilder.rev(pkg, count),
                latest == null ? null : latest.version(),
                count,
                search.toString().toLowerCase(Locale.ROOT));
    }

    /** The number of published versions a stored head counted. */
    static int count(String headJson) {
        return Json.parse(headJson).path("count").asInt();
    }

    /** Both documents of {@code name}, from its head and its version rows in publication order. */
    static Assembled assemble(String name, String headJson, String rev, List<Row> rows) {
        JsonNode head = Json.parse(headJson);
        String distTags = Json.write(head.get("distTags"));
        String quotedName = Json.write(name);
        int size = 256 + headJson.length();
        for (Row r : rows) {
            size += r.full() == null ? 48 : r.full().length() + r.version().length() + 4;
        }
        StringBuilder full = new StringBuilder(size);
        full.append("{\"_id\":").append(quotedName).append(",\"_rev\":").append(Json.write(rev));
        full.append(",\"name\":").append(quotedName);
        head.get("top")
                .properties()
                .forEach(e -> full.append(',')
                        .append(Json.write(e.getKey()))
                        .append(':')
                        .append(Json.write(e.getValue())));
        full.append(",\"dist-tags\":").append(distTags).append(",\"versions\":{");
        StringBuilder abbreviated = new StringBuilder(size / 4 + 256);
        abbreviated.append("{\"name\":").append(quotedName);
        abbreviated
                .append(",\"modified\":")
                .append(Json.write(head.get("modified").asText()));
        abbreviated.append(",\"dist-tags\":").append(distTags).append(",\"versions\":{");
        boolean first = true;
        for (Row r : rows) {
            if (r.state() != VersionState.PUBLISHED) {
                continue;
            }
            if (r.full() == null) {
                throw new IllegalStateException("no rendered fragment for " + name + "@" + r.version());
            }
            String key = Json.write(r.version());
            String sep = first ? "" : ",";
            full.append(sep).append(key).append(':').append(r.full());
            abbreviated.append(sep).append(key).append(':').append(r.corgi());
            first = false;
        }
        full.append("},\"time\":{\"created\":")
                .append(Json.write(head.get("created").asText()));
        full.append(",\"modified\":").append(Json.write(head.get("modified").asText()));
        for (Row r : rows) {
            if (r.publishedAt() != null) {
                full.append(',')
                        .append(Json.write(r.version()))
                        .append(":\"")
                        .append(Instant.ofEpochMilli(r.publishedAt()))
                        .append('"');
            }
        }
        full.append("},\"maintainers\":").append(Json.write(head.get("maintainers")));
        full.append(",\"readme\":").append(Json.write(head.get("readme").asText()));
        if (head.has("readmeFilename")) {
            full.append(",\"readmeFilename\":").append(Json.write(head.get("readmeFilename")));
        }
        full.append(",\"users\":{}}");
        abbreviated.append("}}");
        return new Assembled(full.toString(), abbreviated.toString());
    }
}
