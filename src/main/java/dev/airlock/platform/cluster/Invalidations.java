package dev.airlock.platform.cluster;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Tells every node that something a node keeps in memory changed (docs/deployment.md, "What each node keeps"): {@link
 * #publish} a topic (with a payload, such as the name of the package that changed, or without), and every node's
 * handlers for it run. On PostgreSQL it travels by {@code NOTIFY} (and comes back
 * to the sender too); on SQLite there is one node, so the handlers run at once.
 */
public final class Invalidations implements AutoCloseable {
    /** Separates a topic from its payload in a notification (topics are plain words, never hold a newline). */
    private static final char SEPARATOR = '\n';

    private final Map<String, List<Runnable>> handlers = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<String>>> payloadHandlers = new ConcurrentHashMap<>();
    private final JdbiNotifyChannel channel;
    private boolean started;

    /** The invalidations of {@code db}: by {@code NOTIFY} on PostgreSQL (received once {@link #start}ed), local on SQLite. */
    public Invalidations(AirlockConfig.Database config, Database db) {
        this.channel = db.sqlite() ? null : new JdbiNotifyChannel(config, db, this::run);
    }

    /** Starts receiving other nodes' notifications (a server does; a one-off command only sends). */
    public synchronized void start() {
        if (channel != null && !started) {
            channel.start();
            started = true;
        }
    }

    /** Runs {@code handler} (quick, never throwing on purpose) on every node whenever {@code topic} is published. */
    public void subscribe(String topic, Runnable handler) {
        handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
    }

    /**
     * Runs {@code handler} with the payload (a package name, say) on every node whenever {@code topic} is published
     * with one by {@link #publish(String, String)}; quick, never throwing on purpose.
     */
    public void subscribe(String topic, Consumer<String> handler) {
        payloadHandlers
                .computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>())
                .add(handler);
    }

    /**
     * Runs the payload handlers of {@code topic} with {@code payload} on every node (this one at once on SQLite; on
     * PostgreSQL by {@code NOTIFY}, payload under 7,000 bytes); call it after the change is committed.
     */
    public void publish(String topic, String payload) {
        send(topic + SEPARATOR + payload);
    }

    /** Runs the handlers of {@code topic} on every node; call it after the change is committed. */
    public void publish(String topic) {
        send(topic);
    }

    /** This node at once (SQLite: it is the only one), or every node through the channel (PostgreSQL). */
    private void send(String message) {
        if (channel == null) {
            run(message);
        } else {
            channel.send(message);
        }
    }

    private void run(String message) {
        int at = message.indexOf(SEPARATOR);
        if (at >= 0) {
            String payload = message.substring(at + 1);
            for (Consumer<String> c : payloadHandlers.getOrDefault(message.substring(0, at), List.of())) {
                c.accept(payload);
            }
            return;
        }
        for (Runnable r : handlers.getOrDefault(message, List.of())) {
            r.run();
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null && started) {
            channel.close();
        }
    }
}
