package dev.airlock.alerts;

import dev.airlock.audit.AuditService;
import dev.airlock.notifications.Notification;
import dev.airlock.notifications.NotificationService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.staging.StagingService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Alerts (docs/audit.md, "Alerts"): rules from {@code alerts.*}, evaluated continuously ({@link #evaluate}). Each
 * rule fires once per case and resolves when the case ends; every firing, escalation and resolution changes the
 * {@code alerts} row, writes an audit event ({@code alert.fire} / {@code alert.resolve}) and enqueues a notification
 * ({@code alert.fired} / {@code alert.resolved}) in one transaction.
 */
public final class AlertService {
    private final Database db;
    private final AuditService audit;
    private final NotificationService notifications;
    private final Clock clock;
    private final AlertsConfig config;
    private final JdbiAlertStore store = new JdbiAlertStore();
    private final StageWaitingRule stageWaiting;
    private final EventRules events;
    private final BurstRule burst;

    AlertService(
            Database db,
            AuditService audit,
            NotificationService notifications,
            StagingService staging,
            PackageService packages,
            Supplier<List<String>> admins,
            AlertsConfig config,
            Clock clock) {
        this.db = db;
        this.audit = audit;
        this.notifications = notifications;
        this.clock = clock;
        this.config = config;
        this.stageWaiting = new StageWaitingRule(this, store, staging, packages, config.stageWaiting(), clock);
        this.events = new EventRules(this, store, packages, admins, config, clock);
        this.burst = new BurstRule(this, store, admins, config.burst(), clock);
    }

    /**
     * The alert rules of {@code config} over this registry's log, stages and outbox.
     *
     * @param admins the administrators' user names (mailed about bursts, weakened org policies and bypass tokens)
     */
    public static AlertService create(
            Database db,
            AuditService audit,
            NotificationService notifications,
            StagingService staging,
            PackageService packages,
            Supplier<List<String>> admins,
            AlertsConfig config,
            Clock clock) {
        return new AlertService(db, audit, notifications, staging, packages, admins, config, clock);
    }

    Database db() {
        return db;
    }

    /** How often the server evaluates the rules. */
    public long intervalSeconds() {
        return config.intervalSeconds();
    }

    /**
     * Evaluates every enabled rule once: waiting stages, the log's new entries (from the persisted cursor), failure
     * bursts. Returns how many alerts fired, escalated or resolved. Safe to run concurrently and on several nodes.
     */
    public synchronized int evaluate() {
        audit.integrate();
        int changes = 0;
        if (config.stageWaiting().enabled()) {
            changes += stageWaiting.evaluate();
        }
        changes += events.evaluate();
        if (config.burst().enabled()) {
            changes += burst.evaluate();
        }
        return changes;
    }

    /** Alerts, newest first: the firing ones, or all of them. */
    public List<Alert> list(boolean all) {
        return db.read(tx -> store.list(tx, all, 1000));
    }

    /** One alert, or null. */
    public Alert find(String id) {
        return db.read(tx -> store.find(tx, id));
    }

    /**
     * An administrator closes a firing alert (the point-in-time rules stay firing until someone does): audited as
     * {@code alert.resolve} by {@code actor}, with a notification.
     */
    public Alert resolve(Actor actor, String id) {
        return db.write(tx -> {
            Alert a = store.find(tx, id);
            if (a == null) {
                throw AirlockException.notFound("There is no alert " + id + "; `./airlock alerts list` shows them.");
            }
            if (!resolve(tx, a, actor, "resolved by " + actor.user())) {
                throw AirlockException.conflict("Alert " + id + " is already resolved.");
            }
            return store.find(tx, id);
        });
    }

    /** Fires {@code f} unless its case already fired (or, with {@code reopen}, re-fires a resolved case). */
    boolean fire(Tx tx, Firing f, boolean reopen) {
        long now = clock.millis();
        Map<String, Object> detail = stored(f);
        String id = UUID.randomUUID().toString();
        boolean fired = store.insert(
                tx, new Alert(id, f.rule(), f.caseKey(), f.target(), f.level(), Alert.FIRING, now, null, null, detail));
        if (!fired && reopen) {
            fired = store.reopen(tx, f.rule(), f.caseKey(), f.level(), now, detail);
        }
        if (fired) {
            announce(tx, store.find(tx, f.rule(), f.caseKey()), f);
        }
        return fired;
    }

    /** Raises a firing alert from {@code from} to {@code f}'s level (a reminder becomes an escalation), once. */
    boolean raise(Tx tx, Alert a, String from, Firing f) {
        if (!store.raise(tx, a.id(), from, f.level(), stored(f))) {
            return false;
        }
        announce(tx, store.find(tx, a.id()), f);
        return true;
    }

    /** Resolves a firing alert, once: {@code why} says how the case ended. */
    boolean resolve(Tx tx, Alert a, Actor actor, String why) {
        long now = clock.millis();
        if (!store.resolve(tx, a.id(), now, actor.user())) {
            return false;
        }
        audit.record(tx, actor, "alert.resolve", a.target(), auditDetail(a.id(), a.rule(), a.level(), a.caseKey()));
        Map<String, Object> data = new LinkedHashMap<>(a.detail());
        data.remove("notified");
        Object subject = data.remove("subject");
        data.putAll(auditDetail(a.id(), a.rule(), a.level(), a.caseKey()));
        data.put("target", a.target());
        data.put("resolution", why);
        @SuppressWarnings("unchecked")
        List<String> notified = a.detail().get("notified") instanceof List<?> l ? (List<String>) l : List.of();
        notifications.enqueue(
                tx,
                Notification.of(
                                "alert.resolved",
                                "info",
                                "Resolved: " + (subject == null ? a.rule() + " " + a.caseKey() : subject),
                                "The alert " + a.rule() + " (" + a.caseKey() + ") is resolved: " + why + ".",
                                data)
                        .to(notified)
                        .dedupKey(dedupKey(a.rule(), a.caseKey())));
        return true;
    }

    private void announce(Tx tx, Alert a, Firing f) {
        audit.record(
                tx, Actor.operator(), "alert.fire", f.target(), auditDetail(a.id(), f.rule(), f.level(), f.caseKey()));
        Map<String, Object> data = new LinkedHashMap<>(f.data());
        data.putAll(auditDetail(a.id(), f.rule(), f.level(), f.caseKey()));
        data.put("target", f.target());
        notifications.enqueue(
                tx,
                Notification.of("alert.fired", f.severity(), f.subject(), f.body(), data)
                        .to(f.recipients())
                        .dedupKey(dedupKey(f.rule(), f.caseKey())));
    }

    private static Map<String, Object> stored(Firing f) {
        Map<String, Object> d = new LinkedHashMap<>(f.data());
        d.put("subject", f.subject());
        d.put("severity", f.severity());
        d.put("notified", new ArrayList<>(f.recipients()));
        return d;
    }

    private static Map<String, Object> auditDetail(String id, String rule, String level, String caseKey) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("alert", id);
        d.put("rule", rule);
        d.put("level", level);
        d.put("case", caseKey);
        return d;
    }

    /** The case a PagerDuty incident is keyed by: a resolve closes what the trigger opened. */
    static String dedupKey(String rule, String caseKey) {
        return "alert:" + rule + ":" + caseKey;
    }
}
