package dev.airlock.platform.cluster;

/** A lease in the {@code leases} table that this node takes, renews while it works, and releases. */
final class HeldLease implements Lease {
    private final Leases leases;
    private final String name;
    private final long ttl;
    private long heldUntil;

    HeldLease(Leases leases, String name, long ttl) {
        this.leases = leases;
        this.name = name;
        this.ttl = ttl;
    }

    @Override
    public synchronized boolean hold() {
        long now = leases.now();
        if (now < heldUntil - ttl / 2) {
            return true;
        }
        if (leases.take(name, now, now + ttl, true)) {
            heldUntil = now + ttl;
            return true;
        }
        heldUntil = 0;
        return false;
    }

    @Override
    public synchronized void release() {
        if (heldUntil > 0) {
            heldUntil = 0;
            leases.release(name);
        }
    }
}
