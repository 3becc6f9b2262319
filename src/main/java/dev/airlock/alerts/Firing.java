package dev.airlock.alerts;

import java.util.List;
import java.util.Map;

/**
 * What a rule found: the case ({@code rule}, {@code caseKey}) about {@code target} at {@code level}, and the
 * notification it sends: {@code severity}, a one-line {@code subject}, a plain-text {@code body}, structured
 * {@code data} and the users mailed.
 */
record Firing(
        String rule,
        String caseKey,
        String target,
        String level,
        String severity,
        String subject,
        String body,
        Map<String, Object> data,
        List<String> recipients) {
    Firing {
        data = Map.copyOf(data);
        recipients = List.copyOf(recipients);
    }
}
