package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A plain HTTP client for server-level tests (paths are sent exactly as given, still encoded). */
public final class Http {
    private final String base;
    private final HttpClient client = HttpClient.newHttpClient();

    public Http(String base) {
        this.base = base.endsWith("/") ? base : base + "/";
    }

    public record Response(int status, String body, HttpHeaders headers) {
        public JsonNode json() {
            return Json.parse(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The npm-visible error message. */
        public String error() {
            return json().path("error").asText();
        }
    }

    public Response get(String path, String token) {
        return send(builder(path, token).GET(), null);
    }

    public Response get(String path, String token, String... headers) {
        HttpRequest.Builder b = builder(path, token).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b, null);
    }

    public Response put(String path, String token, String json) {
        return send(
                builder(path, token)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(json)),
                null);
    }

    public Response put(String path, String token, String contentType, byte[] body) {
        HttpRequest.Builder b = builder(path, token).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, null);
    }

    /** A request with extra headers (name, value, name, value …), e.g. npm-otp. */
    public Response send(String method, String path, String token, String json, String... headers) {
        HttpRequest.Builder b = builder(path, token)
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b, null);
    }

    public Response post(String path, String token, String json) {
        return send(
                builder(path, token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)),
                null);
    }

    public Response delete(String path, String token) {
        return send(builder(path, token).DELETE(), null);
    }

    public byte[] bytes(String path, String token) {
        try {
            HttpResponse<byte[]> r =
                    client.send(builder(path, token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder builder(String path, String token) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + p));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest.Builder b, Object unused) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
