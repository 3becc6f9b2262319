package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Services;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ./airlock policy set --package|--org … --require-provenance REPO|none} on a data directory: the operator's
 * command writes the requirement the publish path enforces, refuses a value that is not a repository, and {@code none}
 * lifts it again.
 */
class RequireProvenanceCommandTest {
    Services s;
    String data;
    Actor mia;

    @BeforeEach
    void setUp() {
        s = Services.start();
        data = s.dir.toString();
        mia = s.user("mia");
        s.publish(mia, "mia-lib", "1.0.0");
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    private static String body(String out) {
        return out.substring(out.indexOf('\n') + 1);
    }

    @Test
    void aPackageRequirementIsSetEnforcedAndLifted() {
        String out = AirlockCommand.run(
                "",
                "policy",
                "set",
                "--package",
                "mia-lib",
                "--require-provenance",
                "github.com/acme/widget",
                "--data",
                data);
        assertThat(out).startsWith("exit=0\n");
        assertThat(Json.parse(body(out)).toString()).contains("\"requireProvenance\":\"github.com/acme/widget\"");
        String shown = AirlockCommand.run("", "policy", "show", "--package", "mia-lib", "--data", data);
        assertThat(shown).startsWith("exit=0\n").contains("github.com/acme/widget");

        Services.fails(
                ErrorCode.UNPROCESSABLE,
                "Provenance refused: the policy of mia-lib requires provenance built in github.com/acme/widget for every"
                        + " release, and this upload has none (publish from CI with --provenance). Nothing was"
                        + " published; fix the pipeline's provenance and publish again.",
                () -> s.publish(mia, "mia-lib", "1.0.1"));

        out = AirlockCommand.run(
                "", "policy", "set", "--package", "mia-lib", "--require-provenance", "none", "--data", data);
        assertThat(out).startsWith("exit=0\n");
        s.publish(mia, "mia-lib", "1.0.1");
    }

    @Test
    void anOrgRequirementCoversItsPackagesAndAPackageCanOptOut() {
        assertThat(AirlockCommand.run("", "org", "create", "acme", "--owner", "mia", "--data", data))
                .startsWith("exit=0\n");
        s.publish(mia, "@acme/one", "1.0.0");
        String out = AirlockCommand.run(
                "", "policy", "set", "--org", "acme", "--require-provenance", "github.com/acme/*", "--data", data);
        assertThat(out).as(out).startsWith("exit=0\n").contains("github.com/acme/*");
        dev.airlock.shared.AirlockException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.airlock.shared.AirlockException.class, () -> s.publish(mia, "@acme/one", "1.0.1"));
        assertThat(e.getMessage()).contains("requires provenance built in github.com/acme/*");

        assertThat(AirlockCommand.run(
                        "", "policy", "set", "--package", "@acme/one", "--require-provenance", "none", "--data", data))
                .startsWith("exit=0\n");
        s.publish(mia, "@acme/one", "1.0.1");
    }

    @Test
    void aValueThatIsNotARepositoryIsRefused() {
        String out = AirlockCommand.run(
                "", "policy", "set", "--package", "mia-lib", "--require-provenance", "acme", "--data", data);
        assertThat(out).doesNotStartWith("exit=0\n").contains("requireProvenance must be a repository");
        s.publish(mia, "mia-lib", "1.0.1");
    }
}
