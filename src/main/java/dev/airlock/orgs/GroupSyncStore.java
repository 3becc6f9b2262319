package dev.airlock.orgs;

import dev.airlock.platform.db.Tx;
import java.util.Set;

/** What the group mapping remembers: each source's groups of a user, and the memberships the mapping made. */
interface GroupSyncStore {
    void replaceGroups(Tx tx, String user, String source, Set<String> groups);

    /** The union of the groups every source last reported for {@code user}. */
    Set<String> groups(Tx tx, String user);

    boolean deactivated(Tx tx, String user);

    /** The memberships the mapping made, as {@code org:team} ({@code org:} for the org membership itself). */
    Set<String> mapped(Tx tx, String user);

    void mark(Tx tx, String user, String org, String team);

    void unmark(Tx tx, String user, String org, String team);

    /** Unmarks the org membership and every team of the org. */
    void unmarkOrg(Tx tx, String user, String org);

    void forget(Tx tx, String user);
}
