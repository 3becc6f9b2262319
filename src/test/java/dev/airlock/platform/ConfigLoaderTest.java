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
        Path file = Files.writeString(
                dir.resolve("a.yaml"), "server:\n  port: 5000\n  host: 0.0.0.0\nauth:\n  allowSignup: true\n");
        Map<String, String> env =
                Map.of("AIRLOCK_SERVER_PORT", "6000", "AIRLOCK_SERVER_PUBLIC_URL", "https://npm.example.com/");
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
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).server().consoleUrl())
                .isEqualTo("http://localhost:4873");
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "http://[::1]:9000/npm/"), Map.of())
                        .server()
                        .consoleUrl())
                .isEqualTo("http://localhost:9000/npm");
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "https://npm.example.com"), Map.of())
                        .server()
                        .consoleUrl())
                .isEqualTo("https://npm.example.com");
        // only a whole loopback host is replaced
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_SERVER_PUBLIC_URL", "http://127.0.0.10:80"), Map.of())
                        .server()
                        .consoleUrl())
                .isEqualTo("http://127.0.0.10:80");
    }

    @Test
    void trustedProxiesAsAYamlListAsACommaSeparatedStringAndFromTheEnvironment() throws Exception {
        Path list = Files.writeString(
                dir.resolve("list.yaml"), "server:\n  trustedProxies:\n    - 127.0.0.1\n    - 10.0.0.0/8\n");
        assertThat(ConfigLoader.load(list, Map.of(), Map.of()).trustedProxies())
                .containsExactly("127.0.0.1/32", "10.0.0.0/8");
        Path flow = Files.writeString(dir.resolve("flow.yaml"), "server:\n  trustedProxies: [127.0.0.1, 10.0.0.0/8]\n");
        assertThat(ConfigLoader.load(flow, Map.of(), Map.of()).trustedProxies())
                .containsExactly("127.0.0.1/32", "10.0.0.0/8");
        Path string =
                Files.writeString(dir.resolve("string.yaml"), "server:\n  trustedProxies: 127.0.0.1, 10.0.0.0/8\n");
        assertThat(ConfigLoader.load(string, Map.of(), Map.of()).trustedProxies())
                .containsExactly("127.0.0.1/32", "10.0.0.0/8");
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "server:\n  trustedProxies: []\n");
        assertThat(ConfigLoader.load(empty, Map.of(), Map.of()).trustedProxies())
                .isEmpty();
        assertThat(ConfigLoader.envName("server.trustedProxies")).isEqualTo("AIRLOCK_SERVER_TRUSTED_PROXIES");
        assertThat(ConfigLoader.load(
                                list, Map.of("AIRLOCK_SERVER_TRUSTED_PROXIES", "192.168.1.0/24,172.16.0.1"), Map.of())
                        .trustedProxies())
                .containsExactly("192.168.1.0/24", "172.16.0.1/32");
    }

    @Test
    void proxyCooldownIsADurationWithAUnitAndItsExclusionsAreNamePatterns() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).proxy().cooldown())
                .isZero();
        Path file = Files.writeString(dir.resolve("cool.yaml"), """
                proxy:
                  upstream: https://registry.npmjs.org
                  cooldown: 3d
                  cooldownExclude:
                    - "@types/*"
                    - left-pad
                """);
        AirlockConfig c = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(c.proxy().cooldown()).isEqualTo(java.time.Duration.ofDays(3));
        assertThat(c.proxy().cooldownExclude()).containsExactly("@types/*", "left-pad");
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_PROXY_COOLDOWN", "36h"), Map.of())
                        .proxy()
                        .cooldown())
                .isEqualTo(java.time.Duration.ofHours(36));
        assertThat(ConfigLoader.load(null, Map.of("AIRLOCK_PROXY_COOLDOWN", "30m"), Map.of())
                        .proxy()
                        .cooldown())
                .isEqualTo(java.time.Duration.ofMinutes(30));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("AIRLOCK_PROXY_COOLDOWN", "3 days"), Map.of()))
                .hasMessage(
                        "proxy.cooldown takes a number with a unit (s, m, h, d or w), e.g. 72h or 3d; got \"3 days\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("AIRLOCK_PROXY_COOLDOWN_EXCLUDE", "a*b"), Map.of()))
                .hasMessageStartingWith("proxy.cooldownExclude takes package names");
    }

    @Test
    void aBadTrustedProxyEntrySaysWhichAndWhatIsExpected() throws Exception {
        Path name = Files.writeString(
                dir.resolve("name.yaml"), "server:\n  trustedProxies:\n    - 127.0.0.1\n    - proxy.internal\n");
        assertThatThrownBy(() -> ConfigLoader.load(name, Map.of(), Map.of()))
                .hasMessage(
                        "server.trustedProxies takes IPv4 addresses or CIDR ranges (such as 10.0.0.0/8), as a YAML list or"
                                + " separated by commas, got \"proxy.internal\"");
        Path range = Files.writeString(dir.resolve("range.yaml"), "server:\n  trustedProxies:\n    - 10.0.0.0/33\n");
        assertThatThrownBy(() -> ConfigLoader.load(range, Map.of(), Map.of()))
                .hasMessageContaining("got \"10.0.0.0/33\"");
        Path octet = Files.writeString(dir.resolve("octet.yaml"), "server:\n  trustedProxies:\n    - 300.0.0.1\n");
        assertThatThrownBy(() -> ConfigLoader.load(octet, Map.of(), Map.of()))
                .hasMessageContaining("got \"300.0.0.1\"");
        Path blank =
                Files.writeString(dir.resolve("blank.yaml"), "server:\n  trustedProxies:\n    - 127.0.0.1\n    -\n");
        assertThatThrownBy(() -> ConfigLoader.load(blank, Map.of(), Map.of()))
                .hasMessageContaining("server.trustedProxies in " + blank + ": entry 2 is empty");
        Path nested = Files.writeString(
                dir.resolve("nested.yaml"), "server:\n  trustedProxies:\n    - [127.0.0.1, 10.0.0.1]\n");
        assertThatThrownBy(() -> ConfigLoader.load(nested, Map.of(), Map.of()))
                .hasMessageContaining("entry 1 is not a single value");
    }

    @Test
    void aListForAKeyThatTakesOneValueIsRefusedByName() throws Exception {
        // server.trustedProxies is the only list-valued key; every other key names itself rather than failing on "[…"
        Path file = Files.writeString(dir.resolve("c.yaml"), "server:\n  port:\n    - 4873\n    - 4874\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("server.port in " + file + " takes one value, not a list");
        Path typo = Files.writeString(dir.resolve("d.yaml"), "server:\n  trustedProxy:\n    - 127.0.0.1\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of(), Map.of()))
                .hasMessageContaining("server.trustedProxy");
    }
}
