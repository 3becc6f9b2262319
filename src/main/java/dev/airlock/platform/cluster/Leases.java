package dev.airlock.platform.cluster;

import dev.airlock.platform.db.Database;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Which node does a piece of background work when several nodes share one database (docs/deployment.md, "What each
 * node keeps"): a row per lease in {@code leases}, taken with one conditional statement. Lease times follow the wall
 * clock of each node (not a test's clock): nodes' clocks must agree to well within a lease's length (NTP does).
 *
 * <p>On SQLite there is one node by construction (the database is a file in its data directory), so a lease that is
 * not {@linkplain #enforced() enforced} is always held and costs no write.
 */
public final class Leases {
    /** A job's run keeps others out at least this long, even when its period is shorter (it may run longer). */
    static final Duration MIN_GUARD = Duration.ofMinutes(1);

    private final Database db;
    private final String holder;
    private final boolean enforced;
    private final LongSupplier clock;
    private final JdbiLeaseStore store = new JdbiLeaseStore();

    /** Leases of {@code holder} (this process: see {@link ClusterNode#holder()}) on {@code db}; enforced when {@code enforced}. */
    public Leases(Database db, String holder, boolean enforced) {
        this(db, holder, enforced, System::currentTimeMillis);
    }

    Leases(Database db, String holder, boolean enforced, LongSupplier clock) {
        this.db = db;
        this.holder = holder;
        this.enforced = enforced;
        this.clock = clock;
    }

    /** The leases of {@code holder} on {@code db}, enforced unless the database is SQLite. */
    public static Leases on(Database db, String holder) {
        return new Leases(db, holder, !db.sqlite());
    }

    public boolean enforced() {
        return enforced;
    }

    public String holder() {
        return holder;
    }

    /** A lease this node keeps while it works (a queue it drains): {@link Lease#hold()} takes or renews it. */
    public Lease lease(String name, Duration ttl) {
        if (!enforced) {
            return Lease.ALWAYS;
        }
        return new HeldLease(this, name, ttl.toMillis());
    }

    /**
     * Wraps a periodic job so that each period it runs on one node of the cluster: the node whose attempt finds the
     * job due claims it (due again {@code period} after that run ended), the others skip this turn. A node that dies
     * mid-run leaves it to the others after {@code max(period, 1 minute)}.
     */
    public Runnable once(String name, Duration period, Runnable job) {
        if (!enforced) {
            return job;
        }
        long guard = Math.max(period.toMillis(), MIN_GUARD.toMillis());
        String key = "job:" + name;
        return () -> {
            long now = clock.getAsLong();
            if (!take(key, now, now + guard, false)) {
                return;
            }
            try {
                job.run();
            } finally {
                long until = clock.getAsLong() + period.toMillis();
                db.write(tx -> {
                    store.extend(tx, key, holder, until);
                    return null;
                });
            }
        };
    }

    /** Who holds lease {@code name} now (null when nobody does): for status pages and tests. */
    public String holderOf(String name) {
        return db.read(tx -> store.holder(tx, name, clock.getAsLong()));
    }

    boolean take(String name, long now, long until, boolean renew) {
        return db.write(tx -> store.take(tx, name, holder, now, until, renew));
    }

    void release(String name) {
        db.write(tx -> {
            store.extend(tx, name, holder, 0);
            return null;
        });
    }

    long now() {
        return clock.getAsLong();
    }
}
