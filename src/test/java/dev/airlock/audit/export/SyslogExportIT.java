package dev.airlock.audit.export;

import static dev.airlock.audit.export.ExportChecks.assertComplete;
import static dev.airlock.audit.export.ExportChecks.await;
import static dev.airlock.audit.export.ExportChecks.has;
import static dev.airlock.audit.export.ExportChecks.hasCheckpoint;
import static dev.airlock.audit.export.ExportChecks.parse;
import static dev.airlock.audit.export.ExportChecks.produce;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Rsyslog;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The audit log reaches a real rsyslog collector over TCP and over TLS (RFC 5425 framing), at least once and in order:
 * across a collector restart (entries wait while it is down) and across an Airlock restart (the sink resumes at its
 * persisted cursor).
 */
class SyslogExportIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void everyEntryArrivesInOrderAcrossCollectorAndAirlockRestarts(boolean tls) throws Exception {
        try (Rsyslog collector = Rsyslog.start(tls)) {
            Map<String, String> settings = new HashMap<>();
            settings.put("audit.sinks.1.name", "siem");
            settings.put("audit.sinks.1.type", tls ? "syslog-tls" : "syslog-tcp");
            settings.put("audit.sinks.1.host", "127.0.0.1");
            settings.put("audit.sinks.1.port", String.valueOf(collector.port));
            if (tls) {
                settings.put("audit.sinks.1.caFile", collector.caFile().toString());
            }
            TestRegistry[] running = {TestRegistry.start(settings)};
            TestRegistry registry = running[0];
            Path data = registry.dataDir;
            try {
                produce(registry, "a", 5);
                long first = registry.airlock.audit.checkpoint().size();
                await(
                        "rsyslog received the first entries",
                        WAIT,
                        () -> has(collector.lines(), first) && hasCheckpoint(collector.lines(), first));

                collector.stop();
                await(
                        "the sink noticed the collector is gone",
                        WAIT,
                        () -> registry.airlock.auditExport.status().get(0).failing());
                long second = produce(registry, "b", 6);
                assertThat(has(collector.lines(), second)).isFalse();
                collector.start();
                await("rsyslog received the entries that waited", WAIT, () -> has(collector.lines(), second));
                assertComplete(collector.lines(), second, registry.airlock.audit.key());

                long signed = registry.airlock.audit.checkpoint().size();
                await(
                        "the sink's cursor is persisted",
                        WAIT,
                        () -> registry.airlock.auditExport.cursor("siem").equals(new Cursor(signed - 1, signed)));
                registry.airlock.close();
                int before = collector.lines().size();

                TestRegistry restarted = TestRegistry.startOn(data, settings, new MutableClock());
                running[0] = restarted;
                long third = produce(restarted, "c", 3);
                await(
                        "rsyslog received the entries after Airlock's restart",
                        WAIT,
                        () -> has(collector.lines(), third));
                List<String> all = collector.lines();
                assertComplete(all, third, restarted.airlock.audit.key());
                List<Long> resumed = parse(all.subList(before, all.size())).stream()
                        .filter(j -> j.path("event").has("sequence"))
                        .map(j -> j.path("event").path("sequence").asLong())
                        .toList();
                assertThat(resumed)
                        .as("the sink resumed after its persisted cursor, re-sending nothing")
                        .containsExactly(second, second + 1, second + 2);
                JsonNode last = parse(all).get(parse(all).size() - 1);
                assertThat(last.path("event").path("action").asText()).isEqualTo("user.create");
                assertThat(last.path("airlock").path("target").asText()).isEqualTo("user:c2");
            } finally {
                running[0].close();
            }
        }
    }
}
