package dev.airlock.platform.cluster;

/** One lease a node keeps while it works; see {@link Leases#lease}. */
public interface Lease {
    /** A lease that is always held: one node (SQLite), or work that needs none. */
    Lease ALWAYS = new Lease() {
        @Override
        public boolean hold() {
            return true;
        }

        @Override
        public void release() {}
    };

    /**
     * Takes the lease, or renews it when this node holds it; true when this node holds it now. Cheap to call often: it
     * writes only when half the lease's time has passed since it last took it.
     */
    boolean hold();

    /** Gives the lease up (another node may take it at once). */
    void release();
}
