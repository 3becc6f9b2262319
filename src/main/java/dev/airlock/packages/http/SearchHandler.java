package dev.airlock.packages.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.json.Json;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** GET /-/v1/search in the shape libnpmsearch reads (maintainers[] is required by its formatter). */
final class SearchHandler {
    private final PackageService packages;

    SearchHandler(PackageService packages) {
        this.packages = packages;
    }

    void handle(Context ctx) {
        String text = ctx.queryParam("text");
        int size = bounded(ctx.queryParam("size"), 20, 1, 250);
        int from = bounded(ctx.queryParam("from"), 0, 0, 10_000);
        List<String> terms = new ArrayList<>();
        if (text != null) {
            for (String t : text.toLowerCase(Locale.ROOT).trim().split("\\s+")) {
                if (!t.isEmpty() && terms.size() < 10) {
                    terms.add(t.length() > 100 ? t.substring(0, 100) : t);
                }
            }
        }
        ObjectNode out = Json.object();
        ArrayNode objects = out.putArray("objects");
        for (JsonNode doc : packages.search(Requests.actor(ctx), terms, size, from)) {
            objects.add(summary(doc, packages.base()));
        }
        out.put("total", objects.size());
        out.put("time", Instant.now().toString());
        // npm prints only the results; this says what they cover (docs/proxy.md)
        ctx.header(
                "Airlock-Search", "local packages only; packages proxied from an upstream registry are not searched");
        Responses.json(ctx, out);
    }

    private static ObjectNode summary(JsonNode doc, String base) {
        String name = doc.path("name").asText();
        String latest = doc.path("dist-tags").path("latest").asText(null);
        JsonNode manifest =
                latest == null ? Json.object() : doc.path("versions").path(latest);
        ObjectNode pkg = Json.object();
        pkg.put("name", name);
        pkg.put("scope", name.startsWith("@") ? name.substring(1, name.indexOf('/')) : "unscoped");
        pkg.put("version", latest);
        if (manifest.has("description")) {
            pkg.set("description", manifest.get("description"));
        }
        if (manifest.has("keywords")) {
            pkg.set("keywords", manifest.get("keywords"));
        }
        pkg.put(
                "date",
                doc.path("time").path(latest == null ? "modified" : latest).asText());
        pkg.putObject("links").put("npm", base + "/" + name);
        JsonNode npmUser = manifest.path("_npmUser");
        ObjectNode publisher = pkg.putObject("publisher");
        publisher.put("username", npmUser.path("name").asText(""));
        publisher.put("email", npmUser.path("email").asText(""));
        ArrayNode maintainers = pkg.putArray("maintainers");
        for (JsonNode m : doc.path("maintainers")) {
            maintainers
                    .addObject()
                    .put("username", m.path("name").asText())
                    .put("email", m.path("email").asText());
        }
        ObjectNode entry = Json.object();
        entry.set("package", pkg);
        ObjectNode score = entry.putObject("score");
        score.put("final", 1.0);
        score.putObject("detail").put("quality", 1.0).put("popularity", 1.0).put("maintenance", 1.0);
        entry.put("searchScore", 1.0);
        return entry;
    }

    private static int bounded(String raw, int dflt, int min, int max) {
        try {
            return raw == null ? dflt : Math.max(min, Math.min(max, Integer.parseInt(raw)));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
