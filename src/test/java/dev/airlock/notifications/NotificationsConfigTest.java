package dev.airlock.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.config.NotificationsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** notifications.* from YAML (webhooks as a list of mappings) and from the environment. */
class NotificationsConfigTest {
    @TempDir
    Path dir;

    @Test
    void webhooksComeFromAYamlListAndTheEnvironmentAddsSecrets() throws Exception {
        Path file = dir.resolve("airlock.yaml");
        Files.writeString(file, """
                notifications:
                  disableAfterFailures: 3
                  smtp: {host: mail.example.com, from: airlock@example.com}
                  webhooks:
                    - name: chat
                      url: https://hooks.example.com/x
                      events: [stage.created, alert.*]
                    - name: pager
                      url: https://events.pagerduty.com/v2/enqueue
                      format: pagerduty
                      routingKey: R
                      secret: 0123456789abcdef0123
                """);
        NotificationsConfig n = ConfigLoader.load(
                        file, Map.of("AIRLOCK_NOTIFICATIONS_WEBHOOKS_1_SECRET", "from-the-environment"), Map.of())
                .notifications();
        assertEquals(3, n.disableAfterFailures());
        assertThat(n.smtp().enabled()).isTrue();
        assertEquals("required", n.smtp().starttls());
        assertEquals(2, n.webhooks().size());
        NotificationsConfig.Webhook chat = n.webhooks().get(0);
        assertEquals("from-the-environment", chat.secret());
        assertEquals(List.of("stage.created", "alert.*"), chat.events());
        assertThat(chat.wants("alert.fired")).isTrue();
        assertThat(chat.wants("stage.created")).isTrue();
        assertThat(chat.wants("stage.expired")).isFalse();
        assertEquals("pagerduty", n.webhooks().get(1).format());
        assertThat(n.toString()).doesNotContain("from-the-environment");
    }

    @Test
    void aWebhookWithoutASecretOrAPagerDutyHookWithoutARoutingKeyIsRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of("notifications.webhooks.1.name", "x", "notifications.webhooks.1.url", "https://h/")));
        assertThat(e.getMessage()).contains("secret");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "notifications.webhooks.1.name", "x",
                                "notifications.webhooks.1.url", "https://h/",
                                "notifications.webhooks.1.secret", "0123456789abcdef",
                                "notifications.webhooks.1.format", "pagerduty")));
        assertThat(e.getMessage()).contains("routingKey");
    }
}
