package dev.airlock.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.platform.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** alerts.* from defaults, YAML and the environment; bad values are refused with the key's name. */
class AlertsConfigTest {
    @TempDir
    Path dir;

    @Test
    void everyRuleIsOnByDefaultWithTheDocumentedThresholds() {
        AlertsConfig a = ConfigLoader.load(null, Map.of(), Map.of()).alerts();
        assertEquals(AlertsConfig.DEFAULT, a);
        assertEquals(10, a.intervalSeconds());
        assertTrue(a.stageWaiting().enabled());
        assertEquals(15, a.stageWaiting().remindAfterMinutes());
        assertEquals(30, a.stageWaiting().escalateAfterMinutes());
        assertEquals(List.of(), a.stageWaiting().escalateTo());
        assertTrue(a.publishedWithoutApproval().enabled());
        assertTrue(a.newPublisher().enabled());
        assertTrue(a.policyWeakened().enabled());
        assertEquals(7, a.newMaintainerApproval().days());
        assertEquals(10, a.burst().threshold());
        assertEquals(5, a.burst().windowMinutes());
    }

    @Test
    void yamlAndEnvironmentSetThem() throws Exception {
        Path file = dir.resolve("airlock.yaml");
        Files.writeString(file, """
                alerts:
                  stageWaiting:
                    remindAfterMinutes: 10
                    escalateAfterMinutes: 20
                    escalateTo: [oncall, lead]
                  newPublisher: {enabled: false}
                  burst: {threshold: 50, windowMinutes: 1}
                """);
        AlertsConfig a = ConfigLoader.load(
                        file,
                        Map.of(
                                "AIRLOCK_ALERTS_NEW_MAINTAINER_APPROVAL_DAYS", "14",
                                "AIRLOCK_ALERTS_POLICY_WEAKENED_ENABLED", "false"),
                        Map.of())
                .alerts();
        assertEquals(10, a.stageWaiting().remindAfterMinutes());
        assertEquals(20, a.stageWaiting().escalateAfterMinutes());
        assertEquals(List.of("oncall", "lead"), a.stageWaiting().escalateTo());
        assertFalse(a.newPublisher().enabled());
        assertFalse(a.policyWeakened().enabled());
        assertEquals(14, a.newMaintainerApproval().days());
        assertEquals(50, a.burst().threshold());
        assertEquals(1, a.burst().windowMinutes());
    }

    @Test
    void badValuesAreRefusedWithTheKeysName() throws Exception {
        assertThat(refused(Map.of("alerts.stageWaiting.remindAfterMinutes", "soon")))
                .isEqualTo("alerts.stageWaiting.remindAfterMinutes must be a whole number, got \"soon\"");
        assertThat(refused(Map.of("alerts.burst.threshold", "0")))
                .isEqualTo("alerts.burst.threshold must be at least 1, got 0");
        assertThat(refused(Map.of("alerts.newPublisher.enabled", "yes")))
                .isEqualTo("alerts.newPublisher.enabled must be true or false, got \"yes\"");
        assertThat(refused(Map.of("alerts.stageWaiting.escalateAfterMinutes", "15")))
                .isEqualTo("alerts.stageWaiting.escalateAfterMinutes (15) must be greater than"
                        + " alerts.stageWaiting.remindAfterMinutes (15)");
        assertThat(refused(Map.of("alerts.stageWaiting.escalateTo", "on call@example.com")))
                .contains("alerts.stageWaiting.escalateTo takes user names");
        assertThat(refused(Map.of("alerts.burst.tresholds", "3"))).contains("alerts.burst.tresholds");
        Path file = dir.resolve("list.yaml");
        Files.writeString(file, "alerts:\n  burst:\n    threshold: [1, 2]\n");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(file, Map.of(), Map.of()));
        assertThat(e.getMessage()).contains("alerts.burst.threshold").contains("takes one value");
    }

    static String refused(Map<String, String> flags) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, Map.of(), flags))
                .getMessage();
    }
}
