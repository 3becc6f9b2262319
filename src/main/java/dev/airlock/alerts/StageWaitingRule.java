package dev.airlock.alerts;

import dev.airlock.packages.PackageService;
import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.shared.Actor;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StagingService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stageWaiting}: a staged version not approved within {@code remindAfterMinutes} reminds its approvers (level
 * reminder, severity warning); within {@code escalateAfterMinutes} it escalates (level escalation, severity critical)
 * to the webhooks that take {@code alert.*}, the approvers and the users in {@code escalateTo}. The case is the stage;
 * it resolves when the stage is approved, rejected or expires.
 */
final class StageWaitingRule {
    static final String RULE = "stageWaiting";
    private final AlertService alerts;
    private final JdbiAlertStore store;
    private final StagingService staging;
    private final PackageService packages;
    private final AlertsConfig.StageWaiting config;
    private final Clock clock;

    StageWaitingRule(
            AlertService alerts,
            JdbiAlertStore store,
            StagingService staging,
            PackageService packages,
            AlertsConfig.StageWaiting config,
            Clock clock) {
        this.alerts = alerts;
        this.store = store;
        this.staging = staging;
        this.packages = packages;
        this.config = config;
        this.clock = clock;
    }

    int evaluate() {
        long now = clock.millis();
        long remind = Duration.ofMinutes(config.remindAfterMinutes()).toMillis();
        long escalate = Duration.ofMinutes(config.escalateAfterMinutes()).toMillis();
        List<Stage> waiting = staging.waitingSince(now - remind);
        Map<String, Alert> open = new HashMap<>();
        alerts.db().read(tx -> store.firing(tx, RULE)).forEach(a -> open.put(a.caseKey(), a));
        Map<String, Stage> byId = new HashMap<>();
        waiting.forEach(s -> byId.put(s.id(), s));
        int changes = 0;
        for (Stage s : waiting) {
            boolean late = s.createdAt() <= now - escalate;
            Alert known = open.get(s.id());
            if (known != null && (!late || !"reminder".equals(known.level()))) {
                continue; // nothing to do: the common case costs no write
            }
            changes += alerts.db().write(tx -> {
                Alert a = store.find(tx, RULE, s.id());
                List<String> approvers = packages.approvers(tx, s.pkg());
                if (a == null) {
                    return alerts.fire(tx, firing(s, late, approvers, now), false) ? 1 : 0;
                }
                if (late && a.firing() && "reminder".equals(a.level())) {
                    return alerts.raise(tx, a, "reminder", firing(s, true, approvers, now)) ? 1 : 0;
                }
                return 0;
            });
        }
        for (Alert a : open.values()) {
            if (byId.containsKey(a.caseKey())) {
                continue;
            }
            Stage s = staging.find(a.caseKey());
            String why = s == null
                    ? "the stage is gone"
                    : "the stage was " + s.statusAt(now).wire();
            changes += alerts.db().write(tx -> alerts.resolve(tx, a, Actor.operator(), why) ? 1 : 0);
        }
        return changes;
    }

    private Firing firing(Stage s, boolean escalation, List<String> approvers, long now) {
        long minutes = Duration.ofMillis(now - s.createdAt()).toMinutes();
        String release = s.pkg() + "@" + s.version();
        List<String> to = new ArrayList<>(approvers);
        if (escalation) {
            config.escalateTo().stream().filter(u -> !to.contains(u)).forEach(to::add);
        }
        String body = release + " (tag " + s.tag() + ") was staged by " + s.actor() + " at "
                + Instant.ofEpochMilli(s.createdAt()) + " and has waited " + minutes + " minutes for approval"
                + " (it needs " + s.approvalsRequired() + "; it expires at " + Instant.ofEpochMilli(s.expiresAt())
                + ").\n\n"
                + (escalation
                        ? "This is an escalation: the approvers were reminded after " + config.remindAfterMinutes()
                                + " minutes and it is still waiting.\n\n"
                        : "")
                + "Review it in the console under \"Staged\". If you did not expect this release, reject it there"
                + " and revoke the credential that staged it.";
        Map<String, Object> data = s.noticeData();
        data.put("stagedAt", Instant.ofEpochMilli(s.createdAt()).toString());
        data.put("waitingMinutes", minutes);
        return new Firing(
                RULE,
                s.id(),
                "package:" + s.pkg(),
                escalation ? "escalation" : "reminder",
                escalation ? "critical" : "warning",
                (escalation ? "Escalation: " : "Reminder: ") + release + " has waited " + minutes
                        + " minutes for approval",
                body,
                data,
                to);
    }
}
