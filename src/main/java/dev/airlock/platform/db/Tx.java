package dev.airlock.platform.db;

import org.jdbi.v3.core.Handle;

/** An open transaction (or a read-only handle). Services pass it to stores; only Jdbi* classes unwrap it. */
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
