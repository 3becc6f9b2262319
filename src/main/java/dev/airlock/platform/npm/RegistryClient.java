package dev.airlock.platform.npm;

import dev.airlock.platform.io.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP client for another npm-compatible registry, shared by {@code ./airlock import} and the upstream proxy:
 * GET with redirects followed by hand (at most five), the token sent to the registry's own origin only (never to a
 * host a tarball URL or a redirect names), and tarballs streamed into a {@link Spool} under a size limit.
 */
public final class RegistryClient {
    private static final int MAX_REDIRECTS = 5;
    private final URI registry;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;
    private final String userAgent;
    private final String tokenHint;

    /**
     * @param tokenHint appended to a 401/403 message when no token was given (where the user sets one)
     */
    public RegistryClient(URI registry, String token, Duration timeout, String userAgent, String tokenHint) {
        String base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        String scheme = this.registry.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || this.registry.getHost() == null) {
            throw new IllegalArgumentException("the registry must be an http(s) URL, not " + registry);
        }
        this.token = token == null || token.isEmpty() ? null : token;
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.tokenHint = tokenHint;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The registry's URL, with a trailing slash. */
    public URI registry() {
        return registry;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** Where the registry serves a package's packument: npm's own path encoding, the scope's slash as %2f. */
    public URI packument(String name) {
        return registry.resolve(name.replace("/", "%2f"));
    }

    /** A URL a packument names (absolute, or relative to the registry). */
    public URI resolve(String url) throws IOException {
        try {
            return registry.resolve(url);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a URL: " + url, e);
        }
    }

    /** GET, following up to five redirects; the token goes to the registry's origin only. */
    public HttpResponse<InputStream> get(URI uri, String accept) throws IOException {
        return get(uri, accept, Map.of());
    }

    /** GET with extra request headers (If-None-Match, If-Modified-Since, Accept-Encoding …). */
    public HttpResponse<InputStream> get(URI uri, String accept, Map<String, String> headers) throws IOException {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(at)
                    .timeout(timeout)
                    .header("Accept", accept)
                    .header("User-Agent", userAgent);
            headers.forEach(req::header);
            if (token != null && sameOrigin(at, registry)) {
                req.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> res;
            try {
                res = http.send(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (java.net.http.HttpTimeoutException e) {
                throw new java.net.http.HttpTimeoutException(
                        "no answer from " + at.getHost() + " within " + timeout.toSeconds() + "s");
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

    /**
     * POST a body (npm's bulk advisory request) to a URL of the registry. Redirects are not followed; the token goes to
     * the registry's origin only.
     */
    public HttpResponse<InputStream> post(URI uri, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("Accept", "application/json")
                .header("User-Agent", userAgent);
        headers.forEach(req::header);
        if (token != null && sameOrigin(uri, registry)) {
            req.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(
                    req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new java.net.http.HttpTimeoutException(
                    "no answer from " + uri.getHost() + " within " + timeout.toSeconds() + "s");
        } catch (IOException e) {
            throw new IOException("could not reach " + uri.getHost() + ": " + e, e);
        }
    }

    /** Streams a tarball into a spool; an answer other than 200, or more than {@code maxBytes}, is an IOException. */
    public Spool download(URI uri, Path spoolDir, long maxBytes) throws IOException {
        HttpResponse<InputStream> res = get(uri, "application/octet-stream");
        try (InputStream body = res.body();
                Spool.Writer out = new Spool.Writer(spoolDir, 1 << 20)) {
            if (res.statusCode() != 200) {
                throw new IOException(status(res.statusCode(), uri));
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

    /** "GET URI answered HTTP CODE", with a hint about the token for 401 and 403. */
    public String status(int code, URI uri) {
        String hint =
                code == 401 || code == 403 ? (token == null ? tokenHint : " (the registry refused the token)") : "";
        return "GET " + uri + " answered HTTP " + code + hint;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    @Override
    public String toString() {
        return "RegistryClient[" + registry + (token == null ? "" : ", with a token") + "]";
    }
}
