package dev.airlock.alerts;

import java.util.Map;

/**
 * One alert: a {@code rule} that fired for a case ({@code caseKey}, unique per rule: a stage id, an event, a kind of
 * failure) about {@code target} (package:NAME, user:NAME …), at a {@code level} (reminder, escalation, or the rule's
 * one level {@code alert}), {@code firing} until the case ends or an administrator resolves it.
 */
public record Alert(
        String id,
        String rule,
        String caseKey,
        String target,
        String level,
        String state,
        long firedAt,
        Long resolvedAt,
        String resolvedBy,
        Map<String, Object> detail) {
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public boolean firing() {
        return FIRING.equals(state);
    }
}
