package dev.airlock.platform.cluster;

import dev.airlock.platform.db.Tx;

/** The {@code leases} table (V26), in the SQL SQLite and PostgreSQL share. */
final class JdbiLeaseStore {
    /**
     * Takes lease {@code name} for {@code holder} until {@code until} when it is absent or expired (or, with {@code
     * renew}, already the holder's); true when the holder has it now. One statement decides: the insert that finds
     * the row present does nothing, and the conditional update re-reads the row it locks, so of two nodes racing for a
     * free lease exactly one gets it.
     */
    boolean take(Tx tx, String name, String holder, long now, long until, boolean renew) {
        int inserted = tx.handle()
                .createUpdate("INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :until)"
                        + " ON CONFLICT (name) DO NOTHING")
                .bind("name", name)
                .bind("holder", holder)
                .bind("until", until)
                .execute();
        if (inserted == 1) {
            return true;
        }
        return tx.handle()
                        .createUpdate("UPDATE leases SET holder = :holder, expires_at = :until WHERE name = :name"
                                + " AND (expires_at <= :now" + (renew ? " OR holder = :holder)" : ")"))
                        .bind("name", name)
                        .bind("holder", holder)
                        .bind("until", until)
                        .bind("now", now)
                        .execute()
                == 1;
    }

    /** Moves the expiry of the holder's lease (a no-op when someone else holds it now). */
    void extend(Tx tx, String name, String holder, long until) {
        tx.handle()
                .createUpdate("UPDATE leases SET expires_at = :until WHERE name = :name AND holder = :holder")
                .bind("name", name)
                .bind("holder", holder)
                .bind("until", until)
                .execute();
    }

    /** Who holds {@code name} now, or null. */
    String holder(Tx tx, String name, long now) {
        return tx.handle()
                .createQuery("SELECT holder FROM leases WHERE name = :name AND expires_at > :now")
                .bind("name", name)
                .bind("now", now)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }
}
