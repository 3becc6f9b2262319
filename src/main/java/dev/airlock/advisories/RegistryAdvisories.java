package dev.airlock.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** An npm-shaped registry's bulk advisory endpoint, asked as npm asks it (a gzipped JSON body). */
public final class RegistryAdvisories implements AdvisorySource {
    static final String PATH = "-/npm/v1/security/advisories/bulk";
    private static final int MAX_ANSWER_BYTES = 64 << 20;
    private final RegistryClient client;

    public RegistryAdvisories(RegistryClient client) {
        this.client = client;
    }

    @Override
    public String describe() {
        return client.registry().toString();
    }

    @Override
    public ObjectNode bulk(Map<String, List<String>> request) {
        URI uri = client.registry().resolve(PATH);
        try {
            HttpResponse<InputStream> res =
                    client.post(uri, "application/json", gzip(Json.write(request)), Map.of("Content-Encoding", "gzip"));
            try (InputStream body = res.body()) {
                if (res.statusCode() != 200) {
                    throw new Unavailable(
                            "POST " + uri + " answered HTTP " + res.statusCode()
                                    + (res.statusCode() == 401 || res.statusCode() == 403
                                            ? " (check proxy.token)"
                                            : ""),
                            null);
                }
                byte[] bytes = body.readNBytes(MAX_ANSWER_BYTES + 1);
                if (bytes.length > MAX_ANSWER_BYTES) {
                    throw new Unavailable(
                            "the answer of " + uri + " is larger than " + MAX_ANSWER_BYTES + " bytes", null);
                }
                JsonNode doc = Json.MAPPER.readTree(bytes);
                if (!doc.isObject()) {
                    throw new Unavailable(uri + " did not answer with a JSON object", null);
                }
                return (ObjectNode) doc;
            }
        } catch (IOException | UncheckedIOException e) {
            throw new Unavailable(e.getMessage(), e);
        }
    }

    private static byte[] gzip(String json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
