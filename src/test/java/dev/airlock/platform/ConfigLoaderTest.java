package dev.airlock.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        AirlockConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.server().port()).isEqualTo(4873);
        assertThat(c.server().base()).isEqualTo("http://127.0.0.1:4873");
        assertThat(c.auth().anonymousRead()).isTrue();
        assertThat(c.auth().allowSignup()).isFalse();
        assertThat(c.database().url()).startsWith("jdbc:sqlite:").endsWith("airlock.db");
    }

    @Test
    void fileThenEnvironmentThenFlags() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "server:\n  port: 5000\n  host: 0.0.0.0\nauth:\n  allowSignup: true\n");
        Map<String, String> env = Map.of("AIRLOCK_SERVER_PORT", "6000", "AIRLOCK_SERVER_PUBLIC_URL", "https://npm.example.com/");
        Map<String, String> flags = new HashMap<>();
        flags.put("server.port", "7000");
        AirlockConfig c = ConfigLoader.load(file, env, flags);
        assertThat(c.server().port()).isEqualTo(7000);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().base()).isEqualTo("https://npm.example.com");
        assertThat(c.auth().allowSignup()).isTrue();
    }

    @Test
    void environmentNames() {
        assertThat(ConfigLoader.envName("server.publicUrl")).isEqualTo("AIRLOCK_SERVER_PUBLIC_URL");
        assertThat(ConfigLoader.envName("limits.maxBodyBytes")).isEqualTo("AIRLOCK_LIMITS_MAX_BODY_BYTES");
    }

    @Test
    void typosAndBadValuesAreErrors() throws Exception {
        Path file = Files.writeString(dir.resolve("b.yaml"), "server:\n  prot: 5000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("server.prot");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PORT", "many"), Map.of()))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("AIRLOCK_AUTH_ANONYMOUS_READ", "yes"), Map.of()))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "ftp://x"), Map.of()))
                .hasMessageContaining("publicUrl");
    }

    @Test
    void theConsoleUrlIsAHostNameBecauseBrowsersRefuseSecurityKeysOnIpAddresses() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).server().consoleUrl()).isEqualTo("http://localhost:4873");
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "http://[::1]:9000/npm/"), Map.of()).server().consoleUrl())
                .isEqualTo("http://localhost:9000/npm");
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "https://npm.example.com"), Map.of()).server().consoleUrl())
                .isEqualTo("https://npm.example.com");
        // only a whole loopback host is replaced
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "http://127.0.0.10:80"), Map.of()).server().consoleUrl())
                .isEqualTo("http://127.0.0.10:80");
    }
}
