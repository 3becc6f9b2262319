package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.io.Spool;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Another npm-compatible registry (the public one, Verdaccio, Nexus, Artifactory, another Airlock): full packuments
 * and the tarballs they point at. The token is sent to the registry's own origin only, never to another host a
 * tarball URL or a redirect names.
 */
public final class RegistrySource implements ImportSource {
    private static final int MAX_REDIRECTS = 5;
    private final URI registry;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;
    private final Path spoolDir;

    public RegistrySource(URI registry, String token, Duration timeout, Path spoolDir) {
        String base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        String scheme = this.registry.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || this.registry.getHost() == null) {
            throw new IllegalArgumentException("the registry must be an http(s) URL, not " + registry);
        }
        this.token = token;
        this.timeout = timeout;
        this.spoolDir = spoolDir;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String describe() {
        return registry.toString();
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
        // npm's own encoding of a name in a path: the scope's slash is %2f, everything else is URL-safe already
        URI uri = registry.resolve(name.replace("/", "%2f"));
        HttpResponse<InputStream> res = get(uri, "application/json");
        try (InputStream body = res.body()) {
            if (res.statusCode() == 404) {
                return null;
            }
            if (res.statusCode() != 200) {
                throw new IOException(status(res, uri));
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
                    SourceTimes.parse(time.path(version).asText(null)),
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
                name, tags, SourceTimes.parse(time.path("created").asText(null)), maintainers, versions);
    }

    private Spool fetchTarball(String url, String id, long maxBytes) throws IOException {
        if (url == null) {
            throw new IOException("the source's manifest of " + id + " has no dist.tarball URL");
        }
        URI uri;
        try {
            uri = registry.resolve(url);
        } catch (IllegalArgumentException e) {
            throw new IOException("the source's dist.tarball of " + id + " is not a URL: " + url, e);
        }
        HttpResponse<InputStream> res = get(uri, "application/octet-stream");
        try (InputStream body = res.body();
                Spool.Writer out = new Spool.Writer(spoolDir, 1 << 20)) {
            if (res.statusCode() != 200) {
                throw new IOException(status(res, uri));
            }
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException("the tarball is larger than this registry accepts (limits.maxTarballBytes = "
                            + maxBytes + " bytes)");
                }
                out.write(buf, 0, n);
            }
            return out.finish();
        }
    }

    /** GET, following up to five redirects; the token goes to the registry's origin only. */
    private HttpResponse<InputStream> get(URI uri, String accept) throws IOException {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(at)
                    .timeout(timeout)
                    .header("Accept", accept)
                    .header("User-Agent", "airlock-import");
            if (token != null && sameOrigin(at, registry)) {
                req.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> res;
            try {
                res = http.send(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw new IOException("could not reach " + at.getHost() + ": " + e, e);
            }
            int code = res.statusCode();
            if (code < 300
                    || code >= 400
                    || res.headers().firstValue("Location").isEmpty()) {
                return res;
            }
            res.body().close();
            if (hop == MAX_REDIRECTS) {
                throw new IOException("too many redirects from " + uri);
            }
            at = at.resolve(res.headers().firstValue("Location").get());
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private String status(HttpResponse<InputStream> res, URI uri) {
        int code = res.statusCode();
        String hint = code == 401 || code == 403
                ? (token == null
                        ? " (the registry wants a token: set AIRLOCK_IMPORT_TOKEN or use --token-env/--token-stdin)"
                        : " (the registry refused the token)")
                : "";
        return "GET " + uri + " answered HTTP " + code + hint;
    }

    @Override
    public String toString() {
        return "RegistrySource[" + registry + (Objects.isNull(token) ? "" : ", with a token") + "]";
    }
}
