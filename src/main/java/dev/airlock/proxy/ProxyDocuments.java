package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.Corgi;
import dev.airlock.platform.npm.PackumentBytes;
import dev.airlock.shared.PackageName;
import java.nio.charset.StandardCharsets;

/**
 * The packuments served for an upstream package: the upstream's document with every version's {@code dist.tarball}
 * pointing at this registry ({@code {base}/{name}/-/{bare}-{version}.tgz}, the shape local packages use), its
 * {@code time} kept as the upstream sent it (the clients' own release-age checks read it), and the abbreviated form
 * with the same keys as local packages. {@code dist.integrity}, {@code shasum}, {@code signatures} and
 * {@code attestations} stay as the upstream signed them: the bytes served are the upstream's, verified.
 */
final class ProxyDocuments {
    private ProxyDocuments() {}

    /** Null when the body is not a packument of this name. */
    static ObjectNode parse(byte[] upstream, PackageName name) {
        JsonNode doc;
        try {
            doc = Json.parse(upstream);
        } catch (RuntimeException e) {
            return null;
        }
        if (!(doc instanceof ObjectNode o) || !o.path("versions").isObject()) {
            return null;
        }
        String declared = o.path("name").asText(name.toString());
        return declared.equals(name.toString()) ? o : null;
    }

    static ProxyStore.Served[] build(String base, PackageName name, ObjectNode upstream) {
        ObjectNode full = upstream.deepCopy();
        full.remove("_attachments");
        full.put("name", name.toString());
        ObjectNode abbreviatedVersions = Json.object();
        full.withObject("/versions").properties().forEach(e -> {
            if (!(e.getValue() instanceof ObjectNode manifest)) {
                return;
            }
            manifest.withObject("/dist").put("tarball", PackumentBytes.tarballUrl(base, name, e.getKey()));
            ObjectNode corgi = Json.object();
            manifest.properties().forEach(f -> {
                if (Corgi.KEYS.contains(f.getKey())) {
                    corgi.set(f.getKey(), f.getValue());
                }
            });
            abbreviatedVersions.set(e.getKey(), corgi);
        });
        ObjectNode abbreviated = Json.object();
        abbreviated.put("name", name.toString());
        JsonNode modified = full.path("time").path("modified");
        if (modified.isTextual()) {
            abbreviated.set("modified", modified);
        }
        abbreviated.set("dist-tags", full.path("dist-tags").isObject() ? full.get("dist-tags") : Json.object());
        abbreviated.set("versions", abbreviatedVersions);
        return new ProxyStore.Served[] {served(Json.write(full)), served(Json.write(abbreviated))};
    }

    private static ProxyStore.Served served(String json) {
        return new ProxyStore.Served(
                json.getBytes(StandardCharsets.UTF_8), PackumentBytes.gzip(json), PackumentBytes.etag(json));
    }
}
