package dev.airlock.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.platform.db.Tx;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rules that read the audit log: from a cursor persisted in {@code alert_cursor} (the log index of the last entry
 * read), each batch of new entries is checked and the cursor advanced in the same transaction as the alerts it fired,
 * so nothing is missed across restarts and nothing fires twice. {@code alert.*} entries (the alerts' own) and entries
 * converted from the former hash chain are skipped.
 */
final class EventRules {
    private static final int BATCH = 500;
    private final AlertService alerts;
    private final JdbiAlertStore store;
    private final AlertsConfig config;
    private final Clock clock;
    private final EventChecks checks;

    EventRules(
            AlertService alerts,
            JdbiAlertStore store,
            PackageService packages,
            Supplier<List<String>> admins,
            AlertsConfig config,
            Clock clock) {
        this.alerts = alerts;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.checks = new EventChecks(store, packages, admins, config);
    }

    int evaluate() {
        int changes = 0;
        while (true) {
            int[] batch = alerts.db().write(tx -> {
                long from = store.cursor(tx);
                List<JdbiAlertStore.Event> events = store.events(tx, from, BATCH);
                int fired = 0;
                for (JdbiAlertStore.Event e : events) {
                    fired += check(tx, e);
                }
                if (!events.isEmpty()) {
                    store.saveCursor(tx, events.get(events.size() - 1).seq(), clock.millis());
                }
                return new int[] {events.size(), fired};
            });
            changes += batch[1];
            if (batch[0] < BATCH) {
                return changes;
            }
        }
    }

    private int check(Tx tx, JdbiAlertStore.Event e) {
        if (e.action().startsWith("alert.") || e.entry().has("legacy") || !"success".equals(e.outcome())) {
            return 0;
        }
        JsonNode detail = e.entry().path("detail");
        int fired = 0;
        switch (e.action()) {
            case "package.publish" -> {
                boolean direct = "publish".equals(detail.path("method").asText());
                if (direct) {
                    checks.learnPublisher(tx, e);
                    if (config.publishedWithoutApproval().enabled()) {
                        fired += fire(tx, checks.publishedWithoutApproval(tx, e));
                    }
                }
            }
            case "stage.create" -> {
                Firing f = checks.newPublisher(tx, e);
                if (config.newPublisher().enabled()) {
                    fired += fire(tx, f);
                }
            }
            case "policy.set", "token.create" -> {
                if (config.policyWeakened().enabled()) {
                    fired += fire(tx, checks.policyWeakened(tx, e));
                }
            }
            case "stage.approve" -> {
                if (config.newMaintainerApproval().enabled()) {
                    fired += fire(tx, checks.newMaintainerApproval(tx, e));
                }
            }
            default -> {}
        }
        return fired;
    }

    private int fire(Tx tx, Firing f) {
        return f != null && alerts.fire(tx, f, false) ? 1 : 0;
    }
}
