package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Another npm-compatible registry (the public one, Verdaccio, Nexus, Artifactory, another Airlock): full packuments
 * and the tarballs they point at, over {@link RegistryClient}. The token is sent to the registry's own origin only,
 * never to another host a tarball URL or a redirect names.
 */
public final class RegistrySource implements ImportSource {
    private final RegistryClient client;
    private final Path spoolDir;

    public RegistrySource(URI registry, String token, Duration timeout, Path spoolDir) {
        this.client = new RegistryClient(
                registry,
                token,
                timeout,
                "airlock-import",
                " (the registry wants a token: set AIRLOCK_IMPORT_TOKEN or use --token-env/--token-stdin)");
        this.spoolDir = spoolDir;
    }

    @Override
    public String describe() {
        return client.registry().toString();
    }

    @Override
    public String kind() {
        return "registry";
    }

    @Override
    public List<String> names() {
        throw new IllegalArgumentException(
                "a registry does not list its packages: name them, or give --lockfile FILE with the project's lockfile");
    }

    @Override
    public SourcePackage load(String name) throws IOException {
        URI uri = client.packument(name);
        HttpResponse<InputStream> res = client.get(uri, "application/json");
        try (InputStream body = res.body()) {
            if (res.statusCode() == 404) {
                return null;
            }
            if (res.statusCode() != 200) {
                throw new IOException(client.status(res.statusCode(), uri));
            }
            JsonNode doc = Json.MAPPER.readTree(body);
            if (doc == null || !doc.isObject() || !doc.path("versions").isObject()) {
                throw new IOException(uri + " did not answer with a packument");
            }
            return packument(name, doc);
        }
    }

    private SourcePackage packument(String name, JsonNode doc) {
        JsonNode time = doc.path("time");
        Map<String, String> tags = new LinkedHashMap<>();
        doc.path("dist-tags").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                tags.put(e.getKey(), e.getValue().asText());
            }
        });
        String latest = tags.get("latest");
        List<SourceVersion> versions = new ArrayList<>();
        doc.path("versions").properties().forEach(e -> {
            if (!(e.getValue() instanceof ObjectNode manifest)) {
                return;
            }
            String version = e.getKey();
            String tarball = manifest.path("dist").path("tarball").asText(null);
            String readme = manifest.path("readme").isTextual()
                    ? manifest.get("readme").asText()
                    : version.equals(latest) && doc.path("readme").isTextual()
                            ? doc.get("readme").asText()
                            : null;
            String deprecated = manifest.path("deprecated").isTextual()
                            && !manifest.get("deprecated").asText().isEmpty()
                    ? manifest.get("deprecated").asText()
                    : null;
            versions.add(new SourceVersion(
                    version,
                    manifest,
                    LocalFiles.epochMillis(time.path(version).asText(null)),
                    deprecated,
                    readme,
                    max -> fetchTarball(tarball, name + "@" + version, max)));
        });
        List<String> maintainers = new ArrayList<>();
        doc.path("maintainers").forEach(m -> {
            if (m.path("name").isTextual()) {
                maintainers.add(m.get("name").asText());
            }
        });
        return new SourcePackage(
                name, tags, LocalFiles.epochMillis(time.path("created").asText(null)), maintainers, versions);
    }

    private Spool fetchTarball(String url, String id, long maxBytes) throws IOException {
        if (url == null) {
            throw new IOException("the source's manifest of " + id + " has no dist.tarball URL");
        }
        URI uri;
        try {
            uri = client.resolve(url);
        } catch (IOException e) {
            throw new IOException("the source's dist.tarball of " + id + " is not a URL: " + url, e);
        }
        return client.download(uri, spoolDir, maxBytes);
    }

    @Override
    public String toString() {
        return "RegistrySource[" + client.registry() + (client.hasToken() ? ", with a token" : "") + "]";
    }
}
