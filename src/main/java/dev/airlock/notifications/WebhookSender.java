package dev.airlock.notifications;

import dev.airlock.platform.config.NotificationsConfig.Webhook;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs a message to a webhook, signed: {@code Airlock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "t.body" with the webhook's secret>}. Receivers recompute it over the raw body and reject a timestamp older than
 * five minutes (the replay window). Any 2xx answer is a delivery; anything else is retried.
 */
final class WebhookSender {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final Clock clock;
    private final String source;

    WebhookSender(Clock clock, String source) {
        this.clock = clock;
        this.source = source;
    }

    void send(Webhook hook, Message m, String deliveryId) throws IOException, InterruptedException {
        byte[] body = Json.write(Payloads.body(hook, m, deliveryId, source)).getBytes(StandardCharsets.UTF_8);
        long t = clock.millis() / 1000;
        HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url()))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Airlock-Webhook/1")
                .header("Airlock-Event", m.kind())
                .header("Airlock-Delivery", deliveryId)
                .header("Airlock-Signature", "t=" + t + ",v1=" + sign(hook.secret(), t, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            String text = response.body() == null ? "" : response.body().strip();
            throw new IOException("HTTP " + response.statusCode()
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text)));
        }
    }

    /** Hex HMAC-SHA256 over {@code t + "." + body} with the secret's UTF-8 bytes. */
    static String sign(String secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
