package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.notifications.Notification;
import dev.airlock.notifications.NotificationService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Admin-assisted second-factor reset (docs/recovery.md). An operator asks for it with a reason ({@code ./airlock user
 * reset-2fa}); it takes effect only after {@code twofactor.resetDelay}, during which the user and the owners of the
 * user's orgs are told and any of them can cancel it in the console, and the account is held ({@link ResetHold}).
 * When its time has come, {@link #applyDue} (a maintenance job under a lease) removes the authenticator app, the
 * security keys and the recovery codes. Every step is audited and notified in the transaction that makes it, so a
 * retried transaction records and notifies once. Password changes never touch a second factor.
 */
public final class TwoFactorResets {
    private static final int BATCH = 100;
    private final Database db;
    private final ResetStore store;
    private final TwoFactorStore totp;
    private final SecurityKeyStore keys;
    private final NotificationService notifications;
    private final AuditService audit;
    private final Clock clock;
    private final Duration delay;
    private final ResetHold hold;

    TwoFactorResets(
            Database db,
            ResetStore store,
            TwoFactorStore totp,
            SecurityKeyStore keys,
            NotificationService notifications,
            AuditService audit,
            Clock clock,
            Duration delay,
            ResetHold hold) {
        this.db = db;
        this.store = store;
        this.totp = totp;
        this.keys = keys;
        this.notifications = notifications;
        this.audit = audit;
        this.clock = clock;
        this.delay = delay;
        this.hold = hold;
    }

    /** The resets of {@code twoFactor}'s accounts, waiting {@code delay} (twofactor.resetDelay). */
    public static TwoFactorResets create(
            Database db,
            TwoFactorService twoFactor,
            NotificationService notifications,
            AuditService audit,
            Clock clock,
            Duration delay) {
        return new TwoFactorResets(
                db,
                new JdbiResetStore(),
                new JdbiTwoFactorStore(),
                new JdbiSecurityKeyStore(),
                notifications,
                audit,
                clock,
                delay,
                twoFactor.resetHold());
    }

    /**
     * Records a reset of {@code user}'s second factor, effective after the delay; the operator's command line only.
     * Refused when the user has no second factor or a reset is already pending.
     */
    public PendingReset request(Actor actor, String user, String reason, String requestedBy) {
        if (!actor.isOperator()) {
            throw AirlockException.forbidden("Only an operator resets a second factor (./airlock user reset-2fa).");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > 500 || why.contains("\n")) {
            throw AirlockException.badRequest("Give the reason for the reset in one line of at most 500 characters"
                    + " (--reason): the user and the org owners read it.");
        }
        String by = requestedBy == null || requestedBy.isBlank() ? actor.describe() : requestedBy.strip();
        return db.write(tx -> {
            if (!store.userExists(tx, user)) {
                throw AirlockException.notFound("No user \"" + user + "\".");
            }
            if (!hasFactor(tx, user)) {
                throw AirlockException.badRequest("User \"" + user + "\" has no second factor to reset: they sign in"
                        + " with their password and can set one up themselves.");
            }
            PendingReset pending = store.pending(tx, user);
            if (pending != null) {
                throw AirlockException.conflict("A reset of " + user + "'s second factor is already pending: it takes"
                        + " effect at " + pending.effective() + ". Cancel it first with ./airlock user"
                        + " cancel-2fa-reset " + user + " to ask for another.");
            }
            long now = clock.millis();
            PendingReset r = new PendingReset(UUID.randomUUID().toString(), user, why, by, now, now + delay.toMillis());
            store.insert(tx, r);
            Map<String, Object> detail = detail(r);
            audit.record(tx, actor, "tfa.reset.request", "user:" + user, detail);
            notify(tx, actor, r, ResetNotices.requested(r, everyone(tx, user)));
            return r;
        });
    }

    /**
     * Cancels the user's pending reset: the user themself or an owner of one of the user's orgs, signed in (or an
     * operator). The others hear of it.
     */
    public PendingReset cancel(Actor actor, String user) {
        if (!actor.isOperator() && !actor.interactive()) {
            throw AirlockException.forbidden("Cancel a second-factor reset in the console, signed in.");
        }
        return db.write(tx -> {
            PendingReset r = store.pending(tx, user);
            boolean may = actor.isOperator()
                    || user.equals(actor.user())
                    || (actor.user() != null && store.ownsOrgOf(tx, actor.user(), user));
            if (r == null || !may) {
                throw AirlockException.notFound(
                        "No reset of " + user + "'s second factor is pending" + (may ? "." : " that you can cancel."));
            }
            store.decide(tx, r.id(), ResetStore.CANCELLED, clock.millis(), actor.describe());
            Map<String, Object> detail = detail(r);
            detail.put("cancelledBy", actor.describe());
            audit.record(tx, actor, "tfa.reset.cancel", "user:" + user, detail);
            List<String> others = new ArrayList<>(everyone(tx, user));
            others.remove(actor.user());
            notify(tx, actor, r, ResetNotices.cancelled(r, actor.describe(), others));
            return r;
        });
    }

    /**
     * Makes every reset whose time has come take effect: removes the authenticator app, the security keys and the
     * recovery codes, audits it with the reason and who asked, tells the user and the org owners. Returns how many.
     * One transaction per batch: a retried transaction does it all once, and a second node finds nothing left.
     */
    public int applyDue() {
        int total = 0;
        while (true) {
            int n = db.write(tx -> {
                long now = clock.millis();
                List<PendingReset> due = store.due(tx, now, BATCH);
                for (PendingReset r : due) {
                    apply(tx, r, now);
                }
                return due.size();
            });
            total += n;
            if (n < BATCH) {
                return total;
            }
        }
    }

    private void apply(Tx tx, PendingReset r, long now) {
        if (!store.decide(tx, r.id(), ResetStore.APPLIED, now, "airlock")) {
            return;
        }
        TwoFactorStore.Row app = totp.find(tx, r.user());
        List<SecurityKeyStore.Credential> creds = keys.credentials(tx, r.user());
        totp.delete(tx, r.user()); // the app and the recovery codes
        for (SecurityKeyStore.Credential c : creds) {
            keys.delete(tx, r.user(), c.credentialId());
        }
        Map<String, Object> detail = detail(r);
        detail.put("authenticatorApp", app != null);
        detail.put("securityKeys", creds.size());
        Actor system = Actor.operator();
        audit.record(tx, system, "tfa.reset.apply", "user:" + r.user(), detail);
        notify(tx, system, r, ResetNotices.applied(r, now, everyone(tx, r.user())));
    }

    /** The user's pending reset, if any (the account page). */
    public java.util.Optional<PendingReset> pending(String user) {
        return hold.pending(user);
    }

    /** The pending resets among these users, by user (an org's page). */
    public Map<String, PendingReset> pendingOf(Collection<String> users) {
        Map<String, PendingReset> out = new LinkedHashMap<>();
        db.read(tx -> store.pendingOf(tx, users)).forEach(r -> out.put(r.user(), r));
        return out;
    }

    private boolean hasFactor(Tx tx, String user) {
        TwoFactorStore.Row app = totp.find(tx, user);
        return (app != null && !app.pending()) || keys.count(tx, user) > 0;
    }

    /** The user and the owners of every org the user belongs to. */
    private List<String> everyone(Tx tx, String user) {
        List<String> to = new ArrayList<>();
        to.add(user);
        to.addAll(store.ownersAround(tx, user));
        return to;
    }

    private void notify(Tx tx, Actor actor, PendingReset r, Notification n) {
        notifications.enqueue(tx, n);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("reset", r.id());
        d.put("kind", n.kind());
        d.put("recipients", n.recipients());
        audit.record(tx, actor, "tfa.reset.notify", "user:" + r.user(), d);
    }

    private static Map<String, Object> detail(PendingReset r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("reset", r.id());
        d.put("reason", r.reason());
        d.put("requestedBy", r.requestedBy());
        d.put("effectiveAt", r.effective().toString());
        return d;
    }
}
