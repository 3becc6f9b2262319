package dev.airlock.platform.db;

import java.util.ArrayList;
import java.util.List;
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
    private List<Runnable> afterCommit;

    Tx(Handle handle, boolean writable) {
        this.handle = handle;
        this.writable = writable;
    }

    /**
     * Runs {@code hook} once this transaction has committed (never when it rolls back), on the thread that opened
     * it; a hook that throws is logged and does not affect the caller or the other hooks. On a read handle
     * (autocommit) it runs at once.
     */
    public void afterCommit(Runnable hook) {
        if (!writable) {
            Database.runQuietly(hook);
            return;
        }
        if (afterCommit == null) {
            afterCommit = new ArrayList<>(2);
        }
        afterCommit.add(hook);
    }

    /** The hooks registered with {@link #afterCommit}, run by {@link Database#write} after the commit. */
    void committed() {
        if (afterCommit != null) {
            for (Runnable hook : afterCommit) {
                Database.runQuietly(hook);
            }
        }
    }

    public Handle handle() {
        return handle;
    }

    public boolean writable() {
        return writable;
    }
}
