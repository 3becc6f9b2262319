package dev.airlock.audit;

import java.util.Map;

/** One recorded change: who did what to which target, when and from where. */
public record AuditEvent(
        long seq,
        long at,
        String actor,
        String action,
        String target,
        String source,
        Map<String, Object> detail,
        String prevHash,
        String hash) {}
