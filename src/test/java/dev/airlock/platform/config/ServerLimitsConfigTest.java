package dev.airlock.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerLimitsConfigTest {
    @Test
    void defaultsLeaveRoomForNpmOnSlowLinks() {
        AirlockConfig.ServerLimits l =
                ConfigLoader.load(null, Map.of(), Map.of()).server().limits();
        assertThat(l.maxConnections()).isEqualTo(10_000);
        assertThat(l.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.maxHeaderBytes()).isEqualTo(16_384);
        assertThat(l.minRequestBytesPerSecond()).isEqualTo(1024);
    }

    @Test
    void theEnvironmentSetsThemAndNonsenseIsRefused() {
        AirlockConfig.ServerLimits l = ConfigLoader.load(
                        null,
                        Map.of(
                                "AIRLOCK_SERVER_LIMITS_MAX_CONNECTIONS", "500",
                                "AIRLOCK_SERVER_LIMITS_IDLE_TIMEOUT", "PT2M",
                                "AIRLOCK_SERVER_LIMITS_MAX_HEADER_BYTES", "8192",
                                "AIRLOCK_SERVER_LIMITS_MIN_REQUEST_BYTES_PER_SECOND", "0"),
                        Map.of())
                .server()
                .limits();
        assertThat(l).isEqualTo(new AirlockConfig.ServerLimits(500, Duration.ofMinutes(2), 8192, 0));
        assertThatThrownBy(
                        () -> ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_LIMITS_IDLE_TIMEOUT", "PT0S"), Map.of()))
                .hasMessageContaining("server.limits.idleTimeout");
    }
}
