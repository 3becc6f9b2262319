package dev.airlock.audit.export;

import java.io.IOException;
import java.util.List;

/** A destination the export delivers to, in order; a {@link SinkWorker} drives it. */
interface Sink {
    String name();

    /**
     * Throws when what was delivered since the last check may not have reached the destination (the collector closed
     * the connection): the worker then sends it again from the persisted cursor.
     */
    void check() throws IOException;

    /** Writes the items, in order, and flushes them; throws when the destination cannot take them now. */
    void deliver(List<ExportItem> items) throws IOException;

    /** Drops the connection or file handle; the next delivery opens a new one. */
    void reset();
}
