package dev.airlock.proxy;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names an upstream answered 404 for, remembered for {@code proxy.notFoundSeconds} so that repeated misses of an
 * unknown name (a typo, a private name, a scanner) do not each ask the upstream. Kept in memory and bounded: when it
 * is full, expired entries are dropped, and if that is not enough, all of them (a miss then asks the upstream again).
 */
final class Misses {
    static final int MAX_ENTRIES = 10_000;
    private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long ttlMillis;

    Misses(Clock clock, long ttlMillis) {
        this.clock = clock;
        this.ttlMillis = ttlMillis;
    }

    /** Whether {@code upstream} answered 404 for the name less than the configured time ago. */
    boolean known(String upstream, String name) {
        Long t = until.get(upstream + " " + name);
        if (t == null) {
            return false;
        }
        if (clock.millis() < t) {
            return true;
        }
        until.remove(upstream + " " + name, t);
        return false;
    }

    void remember(String upstream, String name) {
        if (ttlMillis <= 0) {
            return;
        }
        long now = clock.millis();
        if (until.size() >= MAX_ENTRIES) {
            until.values().removeIf(t -> t <= now);
            if (until.size() >= MAX_ENTRIES) {
                until.clear();
            }
        }
        until.put(upstream + " " + name, now + ttlMillis);
    }

    /** The name exists upstream after all (it was fetched): forget the miss. */
    void forget(String upstream, String name) {
        until.remove(upstream + " " + name);
    }

    /** Forgets every remembered miss (after a purge, every name is asked for again). */
    void clear() {
        until.clear();
    }
}
