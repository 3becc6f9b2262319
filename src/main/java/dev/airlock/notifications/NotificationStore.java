package dev.airlock.notifications;

import dev.airlock.platform.db.Tx;
import java.util.List;

/** The SQL of the notifications feature: messages, deliveries, destinations, anti-phishing phrases. */
interface NotificationStore {
    void insertMessage(Tx tx, Message m);

    void insertDelivery(Tx tx, String id, String messageId, String channel, String target, long now);

    /** Pending deliveries due at {@code now}, not claimed by anyone, whose destination is not disabled. */
    List<Delivery> due(Tx tx, long now, int limit);

    /** Claims a delivery for {@code node} until {@code until}, unless another node holds an unexpired claim. */
    boolean claim(Tx tx, String id, String node, long now, long until);

    Delivery delivery(Tx tx, String id);

    Message message(Tx tx, String id);

    /** Records the outcome of one attempt, if {@code node} still holds the claim. */
    void delivered(Tx tx, String id, String node, long now);

    void failed(Tx tx, String id, String node, String error, long nextAttemptAt, boolean giveUp);

    /** Counts a failure against a destination and disables it at {@code disableAfter} failures in a row. */
    void destinationFailed(Tx tx, String destination, String error, int disableAfter, long now);

    void destinationSucceeded(Tx tx, String destination, long now);

    /** The stored state of a destination (failures, disabled), or null when it never failed. */
    Destination destination(Tx tx, String destination);

    /** Re-enables a destination; its pending deliveries become due now. */
    void enable(Tx tx, String destination, long now);

    /** Makes a failed or pending delivery due now with a fresh count of attempts; false if it was delivered. */
    boolean retry(Tx tx, String id, long now);

    List<Delivery> recent(Tx tx, int limit);

    String phrase(Tx tx, String user);

    void setPhrase(Tx tx, String user, String phrase, long now);
}
