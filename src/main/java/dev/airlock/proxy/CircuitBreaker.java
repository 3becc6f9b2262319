package dev.airlock.proxy;

import java.time.Clock;

/**
 * Stops asking a dead upstream: after {@code threshold} consecutive failures, no request is sent for
 * {@code openMillis}; the first request after that is a trial, and one success closes the breaker again.
 */
final class CircuitBreaker {
    private final int threshold;
    private final long openMillis;
    private final Clock clock;
    private int consecutive;
    private long openUntil;
    private long failures;

    CircuitBreaker(int threshold, long openMillis, Clock clock) {
        this.threshold = threshold;
        this.openMillis = openMillis;
        this.clock = clock;
    }

    synchronized boolean open() {
        return consecutive >= threshold && clock.millis() < openUntil;
    }

    synchronized void success() {
        consecutive = 0;
        openUntil = 0;
    }

    /** Returns true when this failure opened the breaker. */
    synchronized boolean failure() {
        failures++;
        consecutive++;
        if (consecutive >= threshold) {
            openUntil = clock.millis() + openMillis;
            return consecutive == threshold;
        }
        return false;
    }

    synchronized long failures() {
        return failures;
    }

    synchronized int consecutive() {
        return consecutive;
    }
}
