package dev.airlock.platform.http;

import dev.airlock.shared.Throwables;
import java.util.Locale;

/**
 * Recognises a write that failed because the disk is full: the filesystem's ENOSPC (blob files, spooled bodies, the
 * SQLite WAL), SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100). Such a request stored nothing (the blob's
 * temporary file is deleted, the transaction rolled back), so the client is told to try again once space returns.
 */
final class StorageFull {
    static final String MESSAGE = "The registry's disk is full, so nothing was stored. Ask the registry's operator to"
            + " free space; then repeat this request (no restart is needed).";

    private StorageFull() {}

    static boolean causes(Throwable e) {
        return Throwables.anyCause(e, t -> {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            return m.contains("no space left on device")
                    || m.contains("disk quota exceeded")
                    || m.contains("sqlite_full")
                    || m.contains("database or disk is full");
        });
    }
}
