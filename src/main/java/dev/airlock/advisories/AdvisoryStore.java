package dev.airlock.advisories;

import dev.airlock.platform.db.Tx;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The local advisory store ({@code advisories}, {@code advisory_packages}). */
interface AdvisoryStore {
    /** Stores the advisory, replacing a stored one with the same id and its packages. */
    void put(Tx tx, Advisory advisory, long importedAt);

    /** Forgets an advisory (withdrawn); false when it was not stored. */
    boolean delete(Tx tx, String id);

    /** The stored advisories that affect these names, by name (each advisory's {@code ranges} has that name). */
    Map<String, List<Advisory>> affecting(Tx tx, Collection<String> names);

    int count(Tx tx);
}
