package dev.airlock.orgs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.groups} in YAML and in the environment, and the mistakes it refuses at start-up. */
class GroupMappingConfigTest {
    @TempDir
    Path dir;

    @Test
    void aListInYamlAndEntriesFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), """
                auth:
                  groups:
                    - group: registry-admins
                      org: acme
                      role: owner
                    - group: "CN=Platform,OU=Groups,DC=example,DC=com"
                      org: "@acme"
                      team: platform
                """);
        AirlockConfig c = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(c.auth().groups())
                .containsExactly(
                        new AirlockConfig.GroupRule("registry-admins", "acme", "owner", ""),
                        new AirlockConfig.GroupRule("CN=Platform,OU=Groups,DC=example,DC=com", "acme", "", "platform"));
        AirlockConfig env = ConfigLoader.load(
                null,
                Map.of(
                        "AIRLOCK_AUTH_GROUPS_1_GROUP", "eng",
                        "AIRLOCK_AUTH_GROUPS_1_ORG", "acme",
                        "AIRLOCK_AUTH_GROUPS_1_ROLE", "developer"),
                Map.of());
        assertThat(env.auth().groups()).containsExactly(new AirlockConfig.GroupRule("eng", "acme", "developer", ""));
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).auth().groups()).isEmpty();
    }

    @Test
    void mistakesAreRefusedAtStartUp() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        null, Map.of(), Map.of("auth.groups.1.group", "eng", "auth.groups.1.org", "acme")))
                .hasMessageContaining("auth.groups entry 1")
                .hasMessageContaining("either a role");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "auth.groups.1.group",
                                "eng",
                                "auth.groups.1.org",
                                "acme",
                                "auth.groups.1.role",
                                "admin",
                                "auth.groups.1.team",
                                "core")))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of("auth.groups.1.group", "eng", "auth.groups.1.org", "acme", "auth.groups.1.role", "god")))
                .hasMessageContaining("owner, admin or developer");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of(
                                "auth.groups.2.group",
                                "eng",
                                "auth.groups.2.org",
                                "acme",
                                "auth.groups.2.role",
                                "admin")))
                .hasMessageContaining("entry 1 is missing");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("auth.groups.1.colour", "red")))
                .hasMessageContaining("auth.groups.1.colour");
    }
}
