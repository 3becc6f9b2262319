package dev.airlock.proxy;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.Corgi;
import dev.airlock.platform.npm.PackumentBytes;
import dev.airlock.shared.PackageName;
import dev.airlock.signing.ProxySignatures;
import dev.airlock.signing.SignatureRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The packuments served for an upstream package: the upstream's document with every version's {@code dist.tarball}
 * pointing at this registry ({@code {base}/{name}/-/{bare}-{version}.tgz}, the shape local packages use), its
 * {@code time} kept as the upstream sent it (the clients' own release-age checks read it), and the abbreviated form
 * with the same keys as local packages. {@code dist.integrity}, {@code shasum} and {@code attestations} stay as
 * the upstream signed them: the bytes served are the upstream's, verified. {@code dist.signatures} keeps the
 * upstream's signatures by keys it serves; a version without one gets this registry's (docs/adr/0010).
 *
 * <p>Built in one streaming pass over the upstream document (parser to two generators), one version's manifest in
 * memory at a time: the versions the {@link Release.View} hides are skipped, its {@code time} and {@code dist-tags}
 * replace the upstream's. The output goes through a spool (on disk beyond 1 MiB) while its gzip copy and ETag are
 * computed, so the heap holds the finished bytes once.
 */
final class ProxyDocuments {
    private ProxyDocuments() {}

    /** The full and abbreviated documents for the upstream document {@code gz} (gzip) and its view. */
    static ProxyStore.Served[] build(
            String base,
            PackageName name,
            byte[] gz,
            Release.View view,
            Path spoolDir,
            ProxySignatures.Batch signatures) {
        ObjectNode shown = view.doc();
        JsonNode served = shown.path("versions");
        try (InputStream in = UpstreamScan.open(gz);
                JsonParser p = Json.MAPPER.getFactory().createParser(in);
                Sink fullOut = new Sink(spoolDir);
                Sink abbrOut = new Sink(spoolDir)) {
            try (JsonGenerator full = Json.MAPPER.getFactory().createGenerator(fullOut, JsonEncoding.UTF8);
                    JsonGenerator abbr = Json.MAPPER.getFactory().createGenerator(abbrOut, JsonEncoding.UTF8)) {
                full.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                abbr.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                abbr.writeStartObject();
                abbr.writeStringField("name", name.toString());
                JsonNode modified = shown.path("time").path("modified");
                if (modified.isTextual()) {
                    abbr.writeStringField("modified", modified.asText());
                }
                abbr.writeFieldName("dist-tags");
                abbr.writeTree(shown.path("dist-tags").isObject() ? shown.get("dist-tags") : Json.object());
                abbr.writeObjectFieldStart("versions");
                p.nextToken();
                full.writeStartObject();
                boolean named = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "_attachments" -> p.skipChildren();
                        case "name" -> {
                            p.skipChildren();
                            full.writeStringField("name", name.toString());
                            named = true;
                        }
                        case "versions" -> {
                            full.writeObjectFieldStart("versions");
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String v = p.currentName();
                                p.nextToken();
                                if (!served.has(v)) {
                                    p.skipChildren();
                                    continue;
                                }
                                JsonNode manifest = Json.MAPPER.readTree(p);
                                if (manifest instanceof ObjectNode m) {
                                    m.withObject("/dist").put("tarball", PackumentBytes.tarballUrl(base, name, v));
                                    sign(m, name, v, signatures);
                                    ObjectNode corgi = Json.object();
                                    m.properties().forEach(f -> {
                                        if (Corgi.KEYS.contains(f.getKey())) {
                                            corgi.set(f.getKey(), f.getValue());
                                        }
                                    });
                                    abbr.writeFieldName(v);
                                    abbr.writeTree(corgi);
                                }
                                full.writeFieldName(v);
                                full.writeTree(manifest);
                            }
                            full.writeEndObject();
                        }
                        case "time", "dist-tags" -> {
                            p.skipChildren();
                            full.writeFieldName(field);
                            full.writeTree(shown.get(field));
                        }
                        default -> {
                            full.writeFieldName(field);
                            full.writeTree(Json.MAPPER.readTree(p));
                        }
                    }
                }
                if (!named) {
                    full.writeStringField("name", name.toString());
                }
                full.writeEndObject();
                abbr.writeEndObject();
                abbr.writeEndObject();
            }
            return new ProxyStore.Served[] {fullOut.finish(), abbrOut.finish()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets a version's {@code dist.signatures} to what {@code batch} decides: the upstream's signatures by keys it
     * serves, else this registry's over {@code name@version:integrity} (the integrity pacote computes: {@code
     * dist.integrity}, else the sha1 of {@code dist.shasum}). pacote signs over the manifest's {@code _id}, which
     * npm's registry always sets; it is set here when the upstream left it out.
     */
    private static void sign(ObjectNode m, PackageName name, String version, ProxySignatures.Batch batch) {
        ObjectNode dist = m.withObject("/dist");
        List<SignatureRef> upstream = new ArrayList<>();
        for (JsonNode sig : dist.path("signatures")) {
            if (sig.path("keyid").isTextual() && sig.path("sig").isTextual()) {
                upstream.add(new SignatureRef(
                        sig.get("keyid").asText(), sig.get("sig").asText()));
            }
        }
        String integrity = dist.path("integrity").isTextual()
                ? dist.get("integrity").asText()
                : dist.path("shasum").isTextual() ? sha1(dist.get("shasum").asText()) : null;
        List<SignatureRef> chosen = batch.signatures(version, integrity, upstream);
        if (chosen.isEmpty()) {
            dist.remove("signatures");
            return;
        }
        if (!m.has("_id")) {
            m.put("_id", name + "@" + version);
        }
        ArrayNode out = dist.putArray("signatures");
        chosen.forEach(sig -> out.addObject().put("keyid", sig.keyid()).put("sig", sig.sig()));
    }

    private static String sha1(String hex) {
        try {
            return "sha1-" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * One version's manifest from a served full document, by version or dist-tag; null when there is none. Two
     * streaming passes (the dist-tags, then the version), one manifest in memory.
     */
    static JsonNode version(byte[] full, String versionOrTag) {
        JsonNode tags = field(full, "dist-tags", null);
        String version = tags == null ? versionOrTag : tags.path(versionOrTag).asText(versionOrTag);
        return field(full, "versions", version);
    }

    /** A top-level field's value, or (with {@code key}) the value of one key inside it. */
    private static JsonNode field(byte[] json, String name, String key) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if (!f.equals(name)) {
                    p.skipChildren();
                } else if (key == null) {
                    return Json.MAPPER.readTree(p);
                } else if (p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        if (k.equals(key)) {
                            return Json.MAPPER.readTree(p);
                        }
                        p.skipChildren();
                    }
                    return null;
                } else {
                    return null;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes written, their gzip copy and their ETag (the SHA-256 prefix {@link PackumentBytes#etag} gives). */
    private static final class Sink extends OutputStream {
        private final Spool.Writer json;
        private final ByteArrayOutputStream gzBytes = new ByteArrayOutputStream(8192);
        private final GZIPOutputStream gz;
        private final MessageDigest sha256 = Hashes.digest("SHA-256");

        Sink(Path spoolDir) throws IOException {
            this.json = new Spool.Writer(spoolDir, 1 << 20);
            this.gz = new GZIPOutputStream(gzBytes, 64 * 1024);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            json.write(b, off, len);
            gz.write(b, off, len);
            sha256.update(b, off, len);
        }

        ProxyStore.Served finish() throws IOException {
            gz.finish();
            try (Spool s = json.finish();
                    InputStream in = s.open()) {
                byte[] bytes = s.inMemory() ? s.bytes() : in.readNBytes((int) s.size());
                String etag = "\"" + Hashes.hex(sha256.digest()).substring(0, 40) + "\"";
                return new ProxyStore.Served(bytes, gzBytes.toByteArray(), etag);
            }
        }

        @Override
        public void close() throws IOException {
            json.close();
        }
    }
}
