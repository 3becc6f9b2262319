package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.util.Collection;
import java.util.List;

interface ResetStore {
    String PENDING = "pending";
    String CANCELLED = "cancelled";
    String APPLIED = "applied";

    void insert(Tx tx, PendingReset r);

    /** The user's pending reset, or null. */
    PendingReset pending(Tx tx, String user);

    /** The pending resets of these users. */
    List<PendingReset> pendingOf(Tx tx, Collection<String> users);

    /** Pending resets whose time has come ({@code effective_at <= now}), oldest first. */
    List<PendingReset> due(Tx tx, long now, int limit);

    /** Moves a pending reset to {@code state}: true when this call did (it was still pending). */
    boolean decide(Tx tx, String id, String state, long at, String by);

    /** Does the user exist? */
    boolean userExists(Tx tx, String user);

    /** The owners of every org the user is a member of (without the user). */
    List<String> ownersAround(Tx tx, String user);

    /** Is {@code owner} an owner of an org that {@code user} is a member of? */
    boolean ownsOrgOf(Tx tx, String owner, String user);
}
