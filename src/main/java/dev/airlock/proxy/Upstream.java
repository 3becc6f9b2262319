package dev.airlock.proxy;

import dev.airlock.platform.io.Spool;
import dev.airlock.platform.npm.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** The upstream registry as the proxy asks it: conditional packument GETs and tarball downloads. */
final class Upstream {
    /** The upstream did not answer usefully: unreachable, too slow ({@code timeout}), or an error status. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean timeout;

        Failure(String message, boolean timeout, Throwable cause) {
            super(message, cause);
            this.timeout = timeout;
        }
    }

    /**
     * 200 with the body (always gzip: as the upstream sent it, or compressed here while it was read) and validators,
     * 304 (not modified) or 404 (no such package upstream).
     */
    record Answer(int status, byte[] gz, String etag, String lastModified) {}

    private final RegistryClient client;
    private final Path spoolDir;

    Upstream(RegistryClient client, Path spoolDir) {
        this.client = client;
        this.spoolDir = spoolDir;
    }

    String describe() {
        return client.registry().toString();
    }

    Answer packument(String name, String etag, String lastModified) {
        URI uri = client.packument(name);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept-Encoding", "gzip");
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        if (lastModified != null) {
            headers.put("If-Modified-Since", lastModified);
        }
        try {
            HttpResponse<InputStream> res = client.get(uri, "application/json", headers);
            try (InputStream body = res.body()) {
                int code = res.statusCode();
                if (code == 304 || code == 404) {
                    return new Answer(code, null, etag, lastModified);
                }
                if (code != 200) {
                    throw new Failure(client.status(code, uri), false, null);
                }
                String encoding = res.headers()
                        .firstValue("Content-Encoding")
                        .orElse("identity")
                        .trim()
                        .toLowerCase(java.util.Locale.ROOT);
                byte[] gz;
                if (encoding.equals("gzip") || encoding.equals("x-gzip")) {
                    gz = body.readAllBytes(); // kept compressed: decoded while it is scanned and built
                } else if (encoding.equals("identity")) {
                    gz = compress(body);
                } else {
                    throw new Failure(
                            uri + " answered in an encoding this registry does not read: " + encoding, false, null);
                }
                return new Answer(
                        200,
                        gz,
                        res.headers().firstValue("ETag").orElse(null),
                        res.headers().firstValue("Last-Modified").orElse(null));
            }
        } catch (HttpTimeoutException e) {
            throw new Failure(e.getMessage(), true, e);
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false, e);
        }
    }

    /** The upstream's {@code /-/npm/v1/keys} document; null when it has none (404). */
    byte[] keys() {
        URI uri = client.registry().resolve("-/npm/v1/keys");
        try {
            HttpResponse<InputStream> res = client.get(uri, "application/json");
            try (InputStream body = res.body()) {
                if (res.statusCode() == 404) {
                    return null;
                }
                if (res.statusCode() != 200) {
                    throw new Failure(client.status(res.statusCode(), uri), false, null);
                }
                return body.readNBytes(1 << 20);
            }
        } catch (HttpTimeoutException e) {
            throw new Failure(e.getMessage(), true, e);
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false, e);
        }
    }

    private static byte[] compress(InputStream body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            body.transferTo(gz);
        }
        return out.toByteArray();
    }

    Spool tarball(String url, long maxBytes) {
        try {
            return client.download(client.resolve(url), spoolDir, maxBytes);
        } catch (HttpTimeoutException e) {
            throw new Failure(e.getMessage(), true, e);
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false, e);
        }
    }
}
