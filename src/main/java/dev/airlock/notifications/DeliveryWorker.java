package dev.airlock.notifications;

import dev.airlock.platform.config.NotificationsConfig;
import dev.airlock.platform.config.NotificationsConfig.Webhook;
import dev.airlock.platform.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Delivers due messages at least once. Each delivery is claimed first with a conditional UPDATE (only when nobody
 * holds an unexpired claim), so with several nodes on one database one node sends it; the claim expires after
 * {@link #LEASE}, so a node that dies mid-send leaves it to the others. A failure is retried after an exponential
 * back-off (backoffSeconds × 2^(attempts−1), at most maxBackoffSeconds) until maxAttempts; failures in a row count
 * against the destination, which is disabled at disableAfterFailures until an admin re-enables it.
 */
final class DeliveryWorker {
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final int BATCH = 50;
    private final Database db;
    private final NotificationStore store;
    private final NotificationsConfig config;
    private final Map<String, Webhook> webhooks;
    private final WebhookSender webhookSender;
    private final MailSender mail;
    private final Function<String, String> emailOf;
    private final String consoleUrl;
    private final Clock clock;
    private final String node;

    DeliveryWorker(
            Database db,
            NotificationStore store,
            NotificationsConfig config,
            Map<String, Webhook> webhooks,
            WebhookSender webhookSender,
            MailSender mail,
            Function<String, String> emailOf,
            String consoleUrl,
            Clock clock,
            String node) {
        this.db = db;
        this.store = store;
        this.config = config;
        this.webhooks = webhooks;
        this.webhookSender = webhookSender;
        this.mail = mail;
        this.emailOf = emailOf;
        this.consoleUrl = consoleUrl;
        this.clock = clock;
        this.node = node;
    }

    /** One pass: claims and sends what is due now; returns how many this node attempted. */
    int runOnce() {
        List<Delivery> due = db.read(tx -> store.due(tx, clock.millis(), BATCH));
        int attempted = 0;
        for (Delivery d : due) {
            long now = clock.millis();
            if (!db.write(tx -> store.claim(tx, d.id(), node, now, now + LEASE.toMillis()))) {
                continue;
            }
            attempted++;
            String error = attempt(d);
            long done = clock.millis();
            db.write(tx -> {
                if (error == null) {
                    store.delivered(tx, d.id(), node, done);
                    store.destinationSucceeded(tx, d.destination(), done);
                } else {
                    boolean giveUp = d.attempts() + 1 >= config.maxAttempts() || error.startsWith(PERMANENT);
                    store.failed(
                            tx,
                            d.id(),
                            node,
                            error,
                            done + backoff(d.attempts() + 1).toMillis(),
                            giveUp);
                    store.destinationFailed(tx, d.destination(), error, config.disableAfterFailures(), done);
                }
                return null;
            });
        }
        return attempted;
    }

    private static final String PERMANENT = "not retried: ";

    /** Sends one delivery; null when it went out, else what went wrong (for the delivery log). */
    private String attempt(Delivery d) {
        try {
            Message m = db.read(tx -> store.message(tx, d.messageId()));
            if (d.channel().equals("webhook")) {
                Webhook hook = webhooks.get(d.target());
                if (hook == null) {
                    return PERMANENT + "webhook " + d.target() + " is no longer configured";
                }
                webhookSender.send(hook, m, d.id());
            } else {
                if (mail == null) {
                    return PERMANENT + "no SMTP server is configured (notifications.smtp.host)";
                }
                String address = emailOf.apply(d.target());
                if (address == null || address.isBlank()) {
                    return PERMANENT + "user " + d.target() + " has no mail address";
                }
                String phrase = db.read(tx -> store.phrase(tx, d.target()));
                mail.send(address, m.subject(), MailText.compose(m, phrase, consoleUrl), m.kind());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            String msg = reasons(e);
            return msg.length() > 500 ? msg.substring(0, 500) + "…" : msg;
        }
    }

    /**
     * The failure and its causes, so the delivery log says why ("Could not convert socket to TLS: PKIX path building
     * failed: unable to find valid certification path …" tells an operator to set notifications.smtp.caFile).
     */
    static String reasons(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 500; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return out.toString();
    }

    /** How long after its {@code attempts}-th failure a delivery is tried again. */
    Duration backoff(int attempts) {
        long seconds = config.backoffSeconds() * (1L << Math.min(30, Math.max(0, attempts - 1)));
        return Duration.ofSeconds(Math.min(seconds, config.maxBackoffSeconds()));
    }
}
