package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.Airlock;
import dev.airlock.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The operator command line works on the data directory of a running server. */
class CommandLineIT {
    static String run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            var cli = Airlock.commandLine();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
            int code = cli.execute(args);
            return "exit=" + code + "\n" + buf.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }

    @Test
    void usersAndOrgsWhileTheServerRuns() {
        try (TestRegistry registry = TestRegistry.start()) {
            String data = registry.dataDir.toString();
            assertThat(run("pw-for-olga\n", "user", "add", "olga", "--email", "olga@example.com", "--password-stdin", "--data", data))
                    .contains("exit=0").contains("Created user olga");
            assertThat(run("pw-for-paul\n", "user", "add", "paul", "--email", "paul@example.com", "--password-stdin", "--admin",
                    "--data", data)).contains("exit=0").contains("(admin)");
            assertThat(run("", "user", "list", "--data", data)).contains("olga\tolga@example.com").contains("paul\tpaul@example.com\tadmin");
            assertThat(run("pw-for-olga\n", "user", "add", "olga", "--email", "olga@example.com", "--password-stdin", "--data", data))
                    .contains("exit=1").contains("already exists");
            assertThat(run("short\n", "user", "add", "quinn", "--email", "q@example.com", "--password-stdin", "--data", data))
                    .contains("exit=1").contains("8 to 1024");

            assertThat(run("", "org", "create", "widgets", "--owner", "olga", "--data", data)).contains("exit=0");
            assertThat(run("", "org", "add", "widgets", "paul", "--role", "admin", "--data", data)).contains("exit=0");
            assertThat(run("", "org", "add", "widgets", "paul", "--role", "king", "--data", data)).contains("exit=1")
                    .contains("owner, admin or developer");
            assertThat(run("", "org", "create", "olga", "--owner", "olga", "--data", data)).contains("exit=1")
                    .contains("user name");

            // the running server sees what the command line wrote
            String token = registry.login("olga", "pw-for-olga");
            var members = registry.http.get("-/org/widgets/user", token).json();
            assertThat(members.path("olga").asText()).isEqualTo("owner");
            assertThat(members.path("paul").asText()).isEqualTo("admin");
        }
    }
}
