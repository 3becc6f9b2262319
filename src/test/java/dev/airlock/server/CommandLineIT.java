package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.TestRegistry;
import org.junit.jupiter.api.Test;

/** The operator command line works on the data directory of a running server. */
class CommandLineIT {
    @Test
    void usersAndOrgsWhileTheServerRuns() {
        try (TestRegistry registry = TestRegistry.start()) {
            String data = registry.dataDir.toString();
            assertThat(AirlockCommand.run(
                            "pw-for-olga\n",
                            "user",
                            "add",
                            "olga",
                            "--email",
                            "olga@example.com",
                            "--password-stdin",
                            "--data",
                            data))
                    .contains("exit=0")
                    .contains("Created user olga");
            assertThat(AirlockCommand.run(
                            "pw-for-paul\n",
                            "user",
                            "add",
                            "paul",
                            "--email",
                            "paul@example.com",
                            "--password-stdin",
                            "--admin",
                            "--data",
                            data))
                    .contains("exit=0")
                    .contains("(admin)");
            assertThat(AirlockCommand.run("", "user", "list", "--data", data))
                    .contains("olga\tolga@example.com")
                    .contains("paul\tpaul@example.com\tadmin");
            assertThat(AirlockCommand.run(
                            "pw-for-olga\n",
                            "user",
                            "add",
                            "olga",
                            "--email",
                            "olga@example.com",
                            "--password-stdin",
                            "--data",
                            data))
                    .contains("exit=1")
                    .contains("already exists");
            assertThat(AirlockCommand.run(
                            "short\n",
                            "user",
                            "add",
                            "quinn",
                            "--email",
                            "q@example.com",
                            "--password-stdin",
                            "--data",
                            data))
                    .contains("exit=1")
                    .contains("8 to 1024");

            assertThat(AirlockCommand.run("", "org", "create", "widgets", "--owner", "olga", "--data", data))
                    .contains("exit=0");
            assertThat(AirlockCommand.run("", "org", "add", "widgets", "paul", "--role", "admin", "--data", data))
                    .contains("exit=0");
            assertThat(AirlockCommand.run("", "org", "add", "widgets", "paul", "--role", "king", "--data", data))
                    .contains("exit=1")
                    .contains("owner, admin or developer");
            assertThat(AirlockCommand.run("", "org", "create", "olga", "--owner", "olga", "--data", data))
                    .contains("exit=1")
                    .contains("user name");

            // the running server sees what the command line wrote
            String token = registry.login("olga", "pw-for-olga");
            var members = registry.http.get("-/org/widgets/user", token).json();
            assertThat(members.path("olga").asText()).isEqualTo("owner");
            assertThat(members.path("paul").asText()).isEqualTo("admin");
        }
    }
}
