package dev.airlock.audit.export;

import dev.airlock.platform.db.Tx;
import java.util.List;

/** Reads of the sequenced log and checkpoints for export, and the sinks' cursors (V18). */
final class JdbiExportStore {
    /** A sequenced log row. */
    record Entry(long seq, String entry, String leafHash) {}

    /** A signed checkpoint as stored. */
    record Note(long size, String root, String note, long at) {}

    List<Entry> entries(Tx tx, long afterSeq, int limit) {
        return tx.handle()
                .createQuery("SELECT seq, entry, leaf_hash FROM audit_log WHERE seq > :after ORDER BY seq LIMIT :n")
                .bind("after", afterSeq)
                .bind("n", limit)
                .map((rs, c) -> new Entry(rs.getLong("seq"), rs.getString("entry"), rs.getString("leaf_hash")))
                .list();
    }

    List<Note> checkpoints(Tx tx, long afterSize, long upToSize, int limit) {
        return tx.handle()
                .createQuery("SELECT size, root, note, at FROM audit_checkpoints WHERE size > :after AND size <= :upTo"
                        + " ORDER BY size LIMIT :n")
                .bind("after", afterSize)
                .bind("upTo", upToSize)
                .bind("n", limit)
                .map((rs, c) ->
                        new Note(rs.getLong("size"), rs.getString("root"), rs.getString("note"), rs.getLong("at")))
                .list();
    }

    Cursor cursor(Tx tx, String sink) {
        return tx.handle()
                .createQuery("SELECT seq, checkpoint FROM audit_export_cursors WHERE sink = :s")
                .bind("s", sink)
                .map((rs, c) -> new Cursor(rs.getLong("seq"), rs.getLong("checkpoint")))
                .findOne()
                .orElse(null);
    }

    void saveCursor(Tx tx, String sink, Cursor c, long at) {
        int updated = tx.handle()
                .createUpdate("UPDATE audit_export_cursors SET seq = :seq, checkpoint = :cp, updated_at = :at"
                        + " WHERE sink = :s")
                .bind("seq", c.seq())
                .bind("cp", c.checkpoint())
                .bind("at", at)
                .bind("s", sink)
                .execute();
        if (updated == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO audit_export_cursors (sink, seq, checkpoint, updated_at)"
                            + " VALUES (:s, :seq, :cp, :at)")
                    .bind("seq", c.seq())
                    .bind("cp", c.checkpoint())
                    .bind("at", at)
                    .bind("s", sink)
                    .execute();
        }
    }
}
