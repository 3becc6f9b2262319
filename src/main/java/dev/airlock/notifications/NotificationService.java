package dev.airlock.notifications;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.config.NotificationsConfig;
import dev.airlock.platform.config.NotificationsConfig.Webhook;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Notifications (docs/notifications.md): producers call {@link #enqueue} inside the transaction of the change that
 * causes the message, so a message exists exactly when its cause committed; a worker then delivers it at least once
 * to each configured webhook that wants its kind and, by mail, to each recipient. Admins see the delivery log, retry
 * a delivery and re-enable a destination that failed too often.
 */
public final class NotificationService implements AutoCloseable {
    private static final long POLL_SECONDS = 5;
    private final Database db;
    private final NotificationStore store;
    private final NotificationsConfig config;
    private final Map<String, Webhook> webhooks = new LinkedHashMap<>();
    private final DeliveryWorker worker;
    private final AuditService audit;
    private final Clock clock;
    private final Predicate<String> isAdmin;
    private ScheduledExecutorService executor;

    NotificationService(
            Database db,
            NotificationsConfig config,
            AuditService audit,
            Clock clock,
            String source,
            String consoleUrl,
            Function<String, String> emailOf,
            Predicate<String> isAdmin,
            String node) {
        this.db = db;
        this.store = new JdbiNotificationStore();
        this.config = config;
        this.audit = audit;
        this.clock = clock;
        this.isAdmin = isAdmin;
        config.webhooks().forEach(w -> webhooks.put(w.name(), w));
        this.worker = new DeliveryWorker(
                db,
                store,
                config,
                webhooks,
                new WebhookSender(clock, source),
                config.smtp().enabled() ? new MailSender(config.smtp()) : null,
                emailOf,
                consoleUrl,
                clock,
                node);
    }

    /**
     * Builds the service and its worker (not started: {@link #start}).
     *
     * @param source this registry's name in payloads (its host)
     * @param emailOf a user's mail address (null when unknown)
     * @param isAdmin whether a user is an administrator (the delivery log is theirs)
     * @param node this process's name in delivery claims (unique per node)
     */
    public static NotificationService create(
            Database db,
            NotificationsConfig config,
            AuditService audit,
            Clock clock,
            String source,
            String consoleUrl,
            Function<String, String> emailOf,
            Predicate<String> isAdmin,
            String node) {
        return new NotificationService(db, config, audit, clock, source, consoleUrl, emailOf, isAdmin, node);
    }

    /**
     * Puts a message in the outbox, in the caller's transaction: one delivery per webhook that wants its kind, and,
     * when mail is configured, one per recipient. Returns the message id.
     */
    public String enqueue(Tx tx, Notification n) {
        long now = clock.millis();
        String id = UUID.randomUUID().toString();
        store.insertMessage(
                tx,
                new Message(
                        id,
                        n.kind(),
                        n.severity(),
                        n.subject(),
                        n.body(),
                        n.data(),
                        n.dedupKey() == null ? id : n.dedupKey(),
                        now));
        for (Webhook hook : webhooks.values()) {
            if (hook.wants(n.kind())) {
                store.insertDelivery(tx, UUID.randomUUID().toString(), id, "webhook", hook.name(), now);
            }
        }
        if (config.smtp().enabled()) {
            for (String user : n.recipients().stream().distinct().toList()) {
                store.insertDelivery(tx, UUID.randomUUID().toString(), id, "email", user, now);
            }
        }
        return id;
    }

    /** One pass of the worker: attempts what is due now (tests call it after moving the clock). */
    public int deliverDue() {
        return worker.runOnce();
    }

    /** Starts the background worker (serve). */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-notifications");
            t.setDaemon(true);
            return t;
        });
        Future<?> unused = executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        worker.runOnce();
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(NotificationService.class)
                                .error("notification delivery failed; it runs again later", e);
                    }
                },
                1,
                POLL_SECONDS,
                TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    /** The most recent deliveries, newest first (admins only). */
    public List<Delivery> recent(Actor actor, int limit) {
        requireAdmin(actor);
        return db.read(tx -> store.recent(tx, Math.max(1, Math.min(limit, 500))));
    }

    /** Every destination: each configured webhook, and mail when configured, with failures and disabled state. */
    public List<Destination> destinations(Actor actor) {
        requireAdmin(actor);
        return db.read(tx -> {
            List<Destination> out = new ArrayList<>();
            for (Webhook w : webhooks.values()) {
                // the host only: many webhook URLs carry a secret in their path
                String host = java.net.URI.create(w.url()).getHost();
                out.add(state(tx, "webhook:" + w.name(), w.format() + " webhook to " + host));
            }
            if (config.smtp().enabled()) {
                out.add(state(
                        tx,
                        "email",
                        "mail through " + config.smtp().host() + ":"
                                + config.smtp().port()));
            }
            return out;
        });
    }

    private Destination state(Tx tx, String name, String description) {
        Destination d = store.destination(tx, name);
        return d == null
                ? new Destination(name, description, 0, null, null)
                : new Destination(name, description, d.failures(), d.disabledAt(), d.lastError());
    }

    /** Makes a failed (or waiting) delivery due now, with a fresh count of attempts. */
    public void retry(Actor actor, String deliveryId) {
        requireAdmin(actor);
        db.write(tx -> {
            if (!store.retry(tx, deliveryId, clock.millis())) {
                throw AirlockException.notFound(
                        "No delivery " + deliveryId + " waiting or failed; delivered ones are not sent again.");
            }
            audit.record(tx, actor, "notification.retry", "delivery:" + deliveryId, Map.of());
            return null;
        });
    }

    /** Re-enables a destination disabled after repeated failures; its waiting deliveries become due now. */
    public void enable(Actor actor, String destination) {
        requireAdmin(actor);
        db.write(tx -> {
            Destination d = store.destination(tx, destination);
            if (d == null || !d.disabled()) {
                throw AirlockException.notFound("Destination " + destination + " is not disabled.");
            }
            store.enable(tx, destination, clock.millis());
            audit.record(tx, actor, "notification.destination.enable", "notify:" + destination, Map.of());
            return null;
        });
    }

    /** The user's anti-phishing phrase, or null when not set. */
    public String phrase(String user) {
        return db.read(tx -> store.phrase(tx, user));
    }

    /** Sets (or, when blank, removes) the signed-in user's anti-phishing phrase. */
    public void setPhrase(Actor actor, String phrase) {
        if (actor.user() == null || !actor.interactive()) {
            throw AirlockException.forbidden("Set your anti-phishing phrase on the console's account page.");
        }
        String p = phrase == null ? "" : phrase.strip();
        if (!p.isEmpty() && (p.length() < 4 || p.length() > 64 || !p.matches("[\\p{L}\\p{N}\\p{P}\\p{S}\\p{Zs}]+"))) {
            throw AirlockException.badRequest("An anti-phishing phrase is 4 to 64 letters, digits, spaces, symbols or"
                    + " punctuation on one line, something only you would choose.");
        }
        db.write(tx -> {
            store.setPhrase(tx, actor.user(), p.isEmpty() ? null : p, clock.millis());
            audit.record(
                    tx,
                    actor,
                    p.isEmpty() ? "user.phrase.remove" : "user.phrase.set",
                    "user:" + actor.user(),
                    Map.of());
            return null;
        });
    }

    private void requireAdmin(Actor actor) {
        if (actor.user() == null || !isAdmin.test(actor.user())) {
            throw AirlockException.forbidden("Only administrators see and manage notification deliveries.");
        }
    }
}
