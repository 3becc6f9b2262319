package dev.airlock.twofactor;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * An admin-assisted second-factor reset waiting for its time (docs/recovery.md): who asked for it and why, and when it
 * takes effect unless the user or an owner of one of the user's orgs cancels it.
 */
public record PendingReset(
        String id, String user, String reason, String requestedBy, long requestedAt, long effectiveAt) {
    /** When it takes effect, to the second (as messages and notices show it). */
    public Instant effective() {
        return Instant.ofEpochMilli(effectiveAt).truncatedTo(ChronoUnit.SECONDS);
    }

    public Instant requested() {
        return Instant.ofEpochMilli(requestedAt).truncatedTo(ChronoUnit.SECONDS);
    }
}
