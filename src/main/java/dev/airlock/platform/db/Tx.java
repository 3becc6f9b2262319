package dev.airlock.platform.db;

import org.jdbi.v3.core.Handle;

/**
 * An open transaction (or a read-only handle). Services pass it to stores; only Jdbi* classes unwrap it.
 *
 * <p>It is also the unit of work one use case shares across features. When a change spans two features and must
 * commit or fail as one (staging a version inserts the version row and the stage row; an approval records the
 * approval and releases the version; a package policy change checks write access and saves the policy), the owning
 * service opens the transaction and passes its {@code Tx} to the other feature's public {@code (Tx, …)} methods.
 * Those methods only join: they never open a transaction of their own, never ask the policy gate or for a second
 * factor (the owning use case did that before opening the transaction), and are named for the step they perform
 * ({@code insertStaged}, {@code releaseStaged}, {@code requireWritable}). Adapters never see a {@code Tx}
 * (ArchitectureTest).
 */
public final class Tx {
    private final Handle handle;
    private final boolean writable;

    Tx(Handle handle, boolean writable) {
        this.handle = handle;
        this.writable = writable;
    }

    public Handle handle() {
        return handle;
    }

    public boolean writable() {
        return writable;
    }
}
