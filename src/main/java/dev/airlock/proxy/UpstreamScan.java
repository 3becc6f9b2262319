package dev.airlock.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.PackageName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The first, streaming pass over an upstream packument: only what the cooldown and blocks decide on and what a tarball
 * fetch needs, never the whole document as a tree (a public packument reaches tens of megabytes; the heap is 80 MiB).
 * The {@link Summary#skeleton()} has the document's {@code time} and {@code dist-tags} and its version keys (values
 * null), the shape {@link Release#apply} works on.
 */
final class UpstreamScan {
    private static final Set<String> DEPENDENCIES = Set.of("dependencies", "optionalDependencies", "peerDependencies");

    private UpstreamScan() {}

    /** A version's {@code dist}: what its tarball is checked against, and where the upstream serves it. */
    record Dist(String integrity, String shasum, String tarball) {}

    /**
     * The skeleton ({@code versions} keys, {@code time}, {@code dist-tags}), every version's dist, the keyids its
     * versions' {@code dist.signatures} name, and the names the {@code latest} version depends on (when the document
     * gives {@code dist-tags} before {@code versions}, as registries do; else none): what a client resolving this
     * package will most likely ask for next.
     */
    record Summary(ObjectNode skeleton, Map<String, Dist> dists, Set<String> keyids, Set<String> latestDependencies) {
        JsonNode time() {
            return skeleton.path("time");
        }

        boolean has(String version) {
            return skeleton.path("versions").has(version);
        }
    }

    /** Opens a stored (gzip) upstream document. */
    static InputStream open(byte[] gz) {
        try {
            return new GZIPInputStream(new java.io.ByteArrayInputStream(gz), 64 * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when the gzip bytes are not a packument of this name (not JSON, no versions object, another name). */
    static Summary scan(byte[] gz, PackageName name) {
        try (InputStream in = open(gz);
                JsonParser p = Json.MAPPER.getFactory().createParser(in)) {
            return scan(p, name);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Summary scan(JsonParser p, PackageName name) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ObjectNode skeleton = Json.object();
        Map<String, Dist> dists = new LinkedHashMap<>();
        Set<String> keys = new HashSet<>();
        Set<String> dependencies = new LinkedHashSet<>();
        Set<String> keyids = new HashSet<>();
        boolean versions = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (!keys.add(field)) {
                return null; // a duplicate key: not a document the tree parser accepts either
            }
            switch (field) {
                case "name" -> {
                    if (value != JsonToken.VALUE_STRING || !p.getText().equals(name.toString())) {
                        if (value == JsonToken.VALUE_STRING) {
                            return null;
                        }
                        p.skipChildren();
                    }
                }
                case "versions" -> {
                    if (value != JsonToken.START_OBJECT) {
                        return null;
                    }
                    versions = true;
                    ObjectNode keysOnly = skeleton.putObject("versions");
                    String latest = latest(skeleton);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String v = p.currentName();
                        if (keysOnly.has(v)) {
                            return null;
                        }
                        keysOnly.set(v, NullNode.instance);
                        p.nextToken();
                        dists.put(v, dist(p, keyids, v.equals(latest) ? dependencies : null));
                    }
                }
                case "time", "dist-tags" -> skeleton.set(field, Json.MAPPER.readTree(p));
                default -> p.skipChildren();
            }
        }
        return versions ? new Summary(skeleton, dists, keyids, dependencies) : null;
    }

    private static String latest(ObjectNode skeleton) {
        JsonNode latest = skeleton.path("dist-tags").path("latest");
        return latest.isTextual() ? latest.asText() : null;
    }

    /**
     * The parser is on a version's value: reads its {@code dist} (adding the keyids of its signatures to
     * {@code keyids}) and skips the rest of the manifest, except, when {@code dependencies} is given, the names of its
     * dependencies of every kind npm installs.
     */
    private static Dist dist(JsonParser p, Set<String> keyids, Set<String> dependencies) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new Dist(null, null, null);
        }
        Dist found = new Dist(null, null, null);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("dist") && p.currentToken() == JsonToken.START_OBJECT) {
                JsonNode d = Json.MAPPER.readTree(p);
                found = new Dist(text(d, "integrity"), text(d, "shasum"), text(d, "tarball"));
                d.path("signatures").forEach(sig -> {
                    if (sig.path("keyid").isTextual()) {
                        keyids.add(sig.path("keyid").asText());
                    }
                });
            } else if (dependencies != null
                    && DEPENDENCIES.contains(field)
                    && p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    dependencies.add(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }
}
