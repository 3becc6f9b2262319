package dev.airlock.audit;

import java.util.Map;

/**
 * One recorded change or attempt: who did what to which target, when, from where, with what outcome. {@code entry}
 * is the canonical JSON the log hashes (its UTF-8 bytes are the Merkle leaf); the other fields are read from it.
 * {@code seq} is the entry's index in the log, null until the sequencer has placed it. {@code actor} is the display
 * form ({@code alice (session)}), {@code user} the bare user name or null.
 */
public record AuditEvent(
        Long seq,
        String id,
        long at,
        String action,
        String outcome,
        String actor,
        String user,
        String target,
        String source,
        Map<String, Object> detail,
        String entry) {}
