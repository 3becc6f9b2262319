package dev.airlock.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.testing.Services;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox and its worker against a real webhook endpoint (the JDK's HTTP server) on a real SQLite database: signed
 * requests, retries after a 500 with the clock moved for the back-off, a destination disabled after failures and
 * re-enabled, PagerDuty's event shape, one delivery per message when two nodes race, nothing for a rolled-back change.
 */
class NotificationDeliveryTest {
    static final String SECRET = "s3cret-s3cret-s3cret";
    WebhookReceiver hook;
    Services s;
    Actor admin;

    Services start(Map<String, String> more) throws Exception {
        hook = new WebhookReceiver();
        Map<String, String> cfg = new HashMap<>();
        cfg.put("notifications.webhooks.1.name", "ops");
        cfg.put("notifications.webhooks.1.url", hook.url());
        cfg.put("notifications.webhooks.1.secret", SECRET);
        cfg.putAll(more);
        s = Services.start(cfg);
        s.airlock.users.add(Actor.operator(), "root", "root@example.com", "root-password-long", true);
        admin = Services.session("root");
        return s;
    }

    @AfterEach
    void tearDown() {
        if (s != null) {
            s.close();
        }
        if (hook != null) {
            hook.close();
        }
    }

    String enqueue(Notification n) {
        return s.airlock.db.write(tx -> s.airlock.notifications.enqueue(tx, n));
    }

    static Notification alert(String kind, String severity) {
        return Notification.of(
                        kind,
                        severity,
                        "widget@1.1.0 waits for approval",
                        "Staged 20 minutes ago.",
                        Map.of("package", "widget", "rule", "approval-sla"))
                .dedupKey("alert:approval-sla:widget@1.1.0");
    }

    /** The receiver's check, written here from the documented format (not with the server's code). */
    static void assertSigned(WebhookReceiver.Received r, long nowSeconds) throws Exception {
        String header = r.header("Airlock-Signature");
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        long t = Long.parseLong(header.substring(2, header.indexOf(',')));
        assertThat(Math.abs(nowSeconds - t))
                .as("inside the 5-minute replay window")
                .isLessThan(300);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.text()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, header.substring(header.indexOf("v1=") + 3));
    }

    Delivery only() {
        List<Delivery> all = s.airlock.notifications.recent(admin, 10);
        assertEquals(1, all.size());
        return all.get(0);
    }

    @Test
    void aWebhookAnswering500IsRetriedAfterTheBackOffAndSignedEachTime() throws Exception {
        start(Map.of());
        hook.statuses.add(500);
        String id = enqueue(alert("alert.fired", "warning"));

        assertEquals(1, s.airlock.notifications.deliverDue());
        Delivery d = only();
        assertEquals("pending", d.status());
        assertEquals(1, d.attempts());
        assertThat(d.lastError()).startsWith("HTTP 500");
        assertThat(d.nextAttemptAt() - s.clock.millis()).isBetween(25_000L, 30_000L);
        assertEquals(0, s.airlock.notifications.deliverDue(), "not due before the back-off");

        s.clock.advance(Duration.ofSeconds(31));
        assertEquals(1, s.airlock.notifications.deliverDue());
        d = only();
        assertEquals("delivered", d.status());
        assertEquals(2, d.attempts());
        assertEquals(2, hook.received.size());
        for (var r : hook.received) {
            assertSigned(r, s.clock.millis() / 1000);
            assertEquals(d.id(), r.header("Airlock-Delivery"));
            assertEquals("alert.fired", r.header("Airlock-Event"));
            JsonNode body = Json.parse(r.body());
            assertEquals(id, body.path("id").asText());
            assertEquals("alert.fired", body.path("kind").asText());
            assertEquals("widget", body.path("data").path("package").asText());
            assertEquals("Staged 20 minutes ago.", body.path("text").asText());
        }
        assertEquals(0, s.airlock.notifications.deliverDue(), "delivered once, not again");
    }

    @Test
    void aTamperedBodyDoesNotMatchTheSignature() throws Exception {
        start(Map.of());
        enqueue(alert("alert.fired", "warning"));
        s.airlock.notifications.deliverDue();
        var r = hook.received.get(0);
        var forged = new WebhookReceiver.Received(
                r.headers(), r.text().replace("widget", "gadget").getBytes(StandardCharsets.UTF_8));
        assertThrows(AssertionError.class, () -> assertSigned(forged, s.clock.millis() / 1000));
    }

    @Test
    void aDestinationFailingRepeatedlyIsDisabledUntilAnAdminEnablesIt() throws Exception {
        start(Map.of("notifications.disableAfterFailures", "2", "notifications.maxAttempts", "20"));
        hook.fallback.set(503);
        enqueue(alert("alert.fired", "error"));
        s.airlock.notifications.deliverDue();
        s.clock.advance(Duration.ofMinutes(1));
        s.airlock.notifications.deliverDue();
        Destination ops = s.airlock.notifications.destinations(admin).get(0);
        assertEquals("webhook:ops", ops.name());
        assertThat(ops.disabled()).isTrue();
        assertEquals(2, ops.failures());

        s.clock.advance(Duration.ofHours(2));
        assertEquals(0, s.airlock.notifications.deliverDue(), "a disabled destination gets nothing");
        assertEquals(2, hook.received.size());

        assertThrows(
                AirlockException.class,
                () -> s.airlock.notifications.enable(Services.session("nobody"), "webhook:ops"),
                "only admins");
        hook.fallback.set(200);
        s.airlock.notifications.enable(admin, "webhook:ops");
        assertThat(s.airlock.notifications.destinations(admin).get(0).disabled())
                .isFalse();
        assertEquals(1, s.airlock.notifications.deliverDue(), "due again at once");
        assertEquals("delivered", only().status());
    }

    @Test
    void aDeliveryGivesUpAfterMaxAttemptsAndAnAdminRetriesIt() throws Exception {
        start(Map.of("notifications.maxAttempts", "2"));
        hook.fallback.set(500);
        enqueue(alert("alert.fired", "error"));
        s.airlock.notifications.deliverDue();
        s.clock.advance(Duration.ofMinutes(1));
        s.airlock.notifications.deliverDue();
        assertEquals("failed", only().status());
        s.clock.advance(Duration.ofHours(1));
        assertEquals(0, s.airlock.notifications.deliverDue());

        hook.fallback.set(204);
        s.airlock.notifications.retry(admin, only().id());
        assertEquals(1, s.airlock.notifications.deliverDue());
        assertEquals("delivered", only().status());
        assertThat(s.airlock.audit.all()).anyMatch(e -> e.action().equals("notification.retry"));
    }

    @Test
    void pagerDutyGetsEventsV2TriggerThenResolveWithOneDedupKey() throws Exception {
        start(Map.of(
                "notifications.webhooks.1.format", "pagerduty",
                "notifications.webhooks.1.routingKey", "R0UT1NGKEY",
                "notifications.webhooks.1.events", "alert.*"));
        enqueue(alert("alert.fired", "critical"));
        enqueue(Notification.of("stage.created", "info", "not for paging", "x", Map.of()));
        enqueue(alert("alert.resolved", "info"));
        assertEquals(2, s.airlock.notifications.deliverDue(), "stage.created is not one of its events");
        List<JsonNode> events = new ArrayList<>();
        for (var r : hook.received) {
            events.add(Json.parse(r.body()));
        }
        events.sort((a, b) ->
                a.path("event_action").asText().compareTo(b.path("event_action").asText()));
        JsonNode resolve = events.get(0);
        JsonNode trigger = events.get(1);
        assertEquals("trigger", trigger.path("event_action").asText());
        assertEquals("resolve", resolve.path("event_action").asText());
        for (JsonNode e : events) {
            assertEquals("R0UT1NGKEY", e.path("routing_key").asText());
            assertEquals("alert:approval-sla:widget@1.1.0", e.path("dedup_key").asText());
        }
        JsonNode payload = trigger.path("payload");
        assertEquals("widget@1.1.0 waits for approval", payload.path("summary").asText());
        assertEquals("critical", payload.path("severity").asText());
        assertThat(payload.path("source").asText()).startsWith("127.0.0.1");
        assertEquals("approval-sla", payload.path("custom_details").path("rule").asText());
        assertThat(List.of("critical", "error", "warning", "info"))
                .contains(resolve.path("payload").path("severity").asText());
    }

    @Test
    void twoNodesRacingDeliverEachMessageOnce() throws Exception {
        start(Map.of());
        hook.delayMs = 5;
        for (int i = 0; i < 30; i++) {
            enqueue(Notification.of("stage.created", "info", "message " + i, "x", Map.of("n", i)));
        }
        NotificationService other = NotificationService.create(
                s.airlock.db,
                s.airlock.config.notifications(),
                s.airlock.audit,
                s.clock,
                "other",
                "http://localhost",
                Function.identity(),
                u -> false,
                "node-b");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> nodes = List.of(
                    () -> s.airlock.notifications.deliverDue() + s.airlock.notifications.deliverDue(),
                    () -> other.deliverDue() + other.deliverDue());
            int attempted = 0;
            for (Future<Integer> f : pool.invokeAll(nodes)) {
                attempted += f.get();
            }
            assertEquals(30, attempted);
        } finally {
            pool.shutdownNow();
        }
        Map<String, Long> perDelivery = hook.received.stream()
                .collect(Collectors.groupingBy(r -> r.header("Airlock-Delivery"), Collectors.counting()));
        assertEquals(30, perDelivery.size());
        assertThat(perDelivery.values()).allMatch(n -> n == 1L);
        assertThat(s.airlock.notifications.recent(admin, 100))
                .allMatch(d -> d.status().equals("delivered"));
    }

    @Test
    void aChangeThatRollsBackLeavesNothingToDeliver() throws Exception {
        start(Map.of());
        assertThrows(
                IllegalStateException.class,
                () -> s.airlock.db.write(tx -> {
                    s.airlock.notifications.enqueue(tx, alert("alert.fired", "warning"));
                    throw new IllegalStateException("the change failed");
                }));
        assertEquals(0, s.airlock.notifications.deliverDue());
        assertThat(hook.received).isEmpty();
        assertThat(s.airlock.notifications.recent(admin, 10)).isEmpty();
    }
}
