package dev.airlock.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** The soak's HTTP client: one connection pool, no redirects followed, every answer read whole. */
final class SoakHttp {
    /** An answer; {@code failure} is set when no answer came (connection refused, reset, timeout). */
    record Answer(int status, byte[] body, java.net.http.HttpHeaders headers, String failure) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return Json.parse(text());
        }

        String header(String name) {
            return headers == null ? null : headers.firstValue(name).orElse(null);
        }

        /** What to print when this was not the expected answer. */
        String describe(String request) {
            String location = header("Location");
            return request + " -> "
                    + (failure != null
                            ? failure
                            : status + (location == null ? "" : " (Location: " + location + ")") + " " + abbreviated());
        }

        private String abbreviated() {
            String t = text();
            return t.length() > 200 ? t.substring(0, 200) + "…" : t;
        }
    }

    private final String base;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    SoakHttp(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    String base() {
        return base;
    }

    /** method path [body] with headers (name, value, …); a body given as a String is sent as JSON. */
    Answer send(String method, String path, Object body, String... headers) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : body instanceof byte[] b
                        ? HttpRequest.BodyPublishers.ofByteArray(b)
                        : HttpRequest.BodyPublishers.ofString(body.toString());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, publisher);
        if (body instanceof String) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                b.header(headers[i], headers[i + 1]);
            }
        }
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body(), r.headers(), null);
        } catch (IOException e) {
            return new Answer(0, new byte[0], null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, new byte[0], null, "interrupted");
        }
    }

    Answer get(String path, String token) {
        return send("GET", path, null, "Authorization", token == null ? null : "Bearer " + token);
    }

    /** An HTML form post (the console's sign-in and web-login forms), with the session cookie when given. */
    Answer form(String path, String cookie, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(
                "POST",
                path,
                body.getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Cookie",
                cookie);
    }
}
