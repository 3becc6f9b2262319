package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Services;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ./airlock audit tail [-f]} and {@code ./airlock audit query [--json]} on a data directory. */
class AuditReadCommandsTest {
    Services s;
    String data;

    @BeforeEach
    void setUp() {
        s = Services.start();
        data = s.dir.toString();
        Actor mia = s.user("mia");
        s.publish(mia, "mia-lib", "1.0.0");
        s.publish(mia, "mia-lib", "1.0.1");
        s.user("olive");
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    private void record(String action, String target, Map<String, ?> detail) {
        s.airlock.db.write(tx -> {
            s.airlock.audit.record(tx, Services.session("mia"), action, target, detail);
            return null;
        });
    }

    private static List<String> lines(String out) {
        return out.lines().skip(1).toList();
    }

    @Test
    void tailPrintsTheNewestEventsOneLineEach() {
        String out = AirlockCommand.run("", "audit", "tail", "-n", "2", "--data", data);
        assertThat(out).startsWith("exit=0\n");
        List<String> lines = lines(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .matches("\\d+ +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ success +mia \\(session\\) +package.publish"
                        + " +package:mia-lib  .*version=1.0.1.*");
        assertThat(lines.get(1)).contains("success", "@cli (cli)", "user.create", "user:olive", "admin=false");

        List<String> publishes = lines(AirlockCommand.run(
                "", "audit", "tail", "--package", "mia-lib", "--action", "package.*", "--data", data));
        assertThat(publishes).hasSize(2).allMatch(l -> l.contains("package.publish"));
        assertThat(publishes.get(0)).contains("version=1.0.0");
    }

    @Test
    void tailFollowsNewEvents() throws Exception {
        CompletableFuture<String> tail = CompletableFuture.supplyAsync(() -> AirlockCommand.run(
                "",
                "audit",
                "tail",
                "-f",
                "-n",
                "0",
                "--action",
                "package.*",
                "--interval",
                "50",
                "--exit-after",
                "2",
                "--data",
                data));
        Thread.sleep(1500);
        assertThat(tail).isNotDone();
        record("user.login", "user:mia", Map.of());
        record("package.dist-tag.add", "package:mia-lib", Map.of("tag", "beta"));
        record("package.deprecate", "package:mia-lib", Map.of("version", "1.0.0"));
        String out = tail.get(60, TimeUnit.SECONDS);
        assertThat(out).startsWith("exit=0\n");
        List<String> lines = lines(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("package.dist-tag.add", "tag=beta");
        assertThat(lines.get(1)).contains("package.deprecate", "version=1.0.0");
    }

    @Test
    void queryPagesAndPrintsJson() {
        String first = AirlockCommand.run("", "audit", "query", "--limit", "2", "--data", data);
        assertThat(lines(first)).hasSize(3);
        assertThat(lines(first).get(0)).startsWith("0 ");
        assertThat(lines(first).get(2)).isEqualTo("airlock: more events follow: run again with --after 1");

        String json = AirlockCommand.run(
                "", "audit", "query", "--actor", "mia", "--action", "package.publish", "--json", "--data", data);
        assertThat(json).startsWith("exit=0\n");
        var body = Json.parse(json.substring("exit=0\n".length()));
        assertThat(body.path("next").isNull()).isTrue();
        assertThat(body.path("events")).hasSize(2);
        var e = body.path("events").get(1);
        assertThat(e.path("detail").path("version").asText()).isEqualTo("1.0.1");
        assertThat(e.path("entry").asText())
                .isEqualTo(s.airlock.audit.entry(e.path("seq").asLong()).entry());

        String after = AirlockCommand.run(
                "",
                "audit",
                "query",
                "--action",
                "package.publish",
                "--after",
                e.path("seq").asText(),
                "--data",
                data);
        assertThat(lines(after)).isEmpty();

        String bad = AirlockCommand.run("", "audit", "query", "--since", "tomorrow", "--data", data);
        assertThat(bad).startsWith("exit=1\n").contains("airlock: since must be a time such as");
    }
}
