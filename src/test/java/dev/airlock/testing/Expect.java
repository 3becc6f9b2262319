package dev.airlock.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on a real client's run, printing its whole output when they fail. */
public final class Expect {
    private Expect() {}

    public static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /** The command failed, and what it printed contains the message a user would read. */
    public static Cli.Result fails(Cli.Result r, String message) {
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.all()).as(r.toString()).contains(message);
        return r;
    }
}
