package dev.airlock.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** GETs from the registry being checked: its answers are evidence to check, never trusted as they are. */
final class RegistryHttp {
    /** An answer: the status (0 when the registry could not be reached) and the body (or the error). */
    record Answer(int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final String registry;
    private final String token;

    /** {@code registry} ends in one slash; {@code token} (may be null) is sent as a bearer token. */
    RegistryHttp(String registry, String token) {
        this.registry = registry;
        this.token = token;
    }

    Answer get(String path) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(registry + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .header("User-Agent", "airlock-verify");
        if (token != null && !token.isBlank()) {
            req.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> res =
                    client.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(res.statusCode(), res.body());
        } catch (IOException e) {
            return new Answer(0, "cannot reach " + registry + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }

    /** The path of a package's document: a scoped name's slash is encoded, as npm sends it. */
    static String packumentPath(String name) {
        return name.replace("/", "%2f");
    }
}
