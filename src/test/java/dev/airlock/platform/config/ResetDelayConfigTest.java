package dev.airlock.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** twofactor.resetDelay: an ISO-8601 duration, 72 hours unless configured (docs/recovery.md). */
class ResetDelayConfigTest {
    @Test
    void defaultsToSeventyTwoHoursAndTakesIsoDurations() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).twoFactor().resetDelay())
                .isEqualTo(Duration.ofDays(3));
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_TWOFACTOR_RESET_DELAY", "P7D"), Map.of())
                        .twoFactor()
                        .resetDelay())
                .isEqualTo(Duration.ofDays(7));
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("twofactor.resetDelay", "PT10M"))
                        .twoFactor()
                        .resetDelay())
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void refusesWhatIsNotAnIsoDuration() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("twofactor.resetDelay", "72h")))
                .hasMessageContaining("twofactor.resetDelay takes an ISO-8601 duration, e.g. PT72H");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("twofactor.resetDelay", "-PT1H")))
                .hasMessageContaining("must not be negative");
    }
}
