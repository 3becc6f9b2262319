package dev.airlock.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** audit.sinks: a YAML list of mappings (or AIRLOCK_AUDIT_SINKS_N_FIELD), validated with reasons at startup. */
class AuditSinkConfigTest {
    @TempDir
    Path dir;

    @Test
    void sinksFromYamlAndTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), """
                audit:
                  sinks:
                    - name: siem
                      type: syslog-tls
                      host: logs.example.com
                      port: 6514
                      caFile: /etc/airlock/ca.pem
                    - name: archive
                      type: file
                      path: export/audit.jsonl
                """);
        AirlockConfig c = ConfigLoader.load(file, Map.of("AIRLOCK_AUDIT_SINKS_2_KEEP", "9"), Map.of());
        assertThat(c.auditSinks())
                .containsExactly(
                        new AirlockConfig.AuditSink(
                                "siem",
                                "syslog-tls",
                                "logs.example.com",
                                6514,
                                "/etc/airlock/ca.pem",
                                "",
                                10L << 20,
                                5),
                        new AirlockConfig.AuditSink("archive", "file", "", 0, "", "export/audit.jsonl", 10L << 20, 9));
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).auditSinks()).isEmpty();
    }

    @Test
    void mistakesAreRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> load("- name: a\n  type: syslog-udp\n  host: h\n  port: 514\n"))
                .hasMessageContaining("use syslog-tcp, syslog-tls or file");
        assertThatThrownBy(() -> load("- name: a\n  type: syslog-tcp\n  host: h\n"))
                .hasMessageContaining("needs host and port");
        assertThatThrownBy(() -> load("- name: a\n  type: file\n")).hasMessageContaining("needs a path");
        assertThatThrownBy(() -> load("- name: a\n  type: file\n  path: x\n  colour: red\n"))
                .hasMessageContaining("audit.sinks.1.colour");
        assertThatThrownBy(() -> load("- name: a\n  type: file\n  path: x\n- name: a\n  type: file\n  path: y\n"))
                .hasMessageContaining("two sinks are named \"a\"");
        assertThatThrownBy(() -> load("siem\n")).hasMessageContaining("takes a list of sinks");
    }

    private AirlockConfig load(String sinks) throws Exception {
        String indented = sinks.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
        return ConfigLoader.load(
                Files.writeString(dir.resolve("s.yaml"), "audit:\n  sinks:\n" + indented), Map.of(), Map.of());
    }
}
