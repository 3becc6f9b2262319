package dev.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** ./airlock doctor runs the bundled program with the system node: arguments through, exit code back. */
class DoctorCommandTest {
    @Test
    void argumentsGoThroughAndTheExitCodeComesBack() {
        assertThat(Airlock.commandLine().execute("doctor", "--version")).isZero();
        assertThat(Airlock.commandLine().execute("doctor", "--no-such-option")).isEqualTo(2);
        assertThat(Airlock.commandLine().execute("doctor", "--offline", "--fail-on=never", "--project", "."))
                .isZero();
    }

    @Test
    void withoutNodeItSaysSoAndExits2() throws Exception {
        DoctorCommand c = new DoctorCommand();
        c.node = "/nonexistent/node";
        assertThat(c.call()).isEqualTo(2);
    }
}
