package dev.airlock.console.view;

import java.util.List;

/**
 * The audit log page: the filter as typed ({@code pkg, actor, action, since, until}), a sentence when it could not be
 * used, the events of this page, and the links to the first and the next page (null when there is none).
 */
public record AuditLogPage(
        String pkg,
        String actor,
        String action,
        String since,
        String until,
        String error,
        List<Row> events,
        String firstUrl,
        String nextUrl) {
    /** One event: its log index, time, outcome, who, what, on what, and its detail on one line. */
    public record Row(long seq, long at, String outcome, String actor, String action, String target, String detail) {
        public boolean failed() {
            return !"success".equals(outcome);
        }
    }
}
