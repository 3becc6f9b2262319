package dev.airlock.proxy;

import dev.airlock.shared.PackageName;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches packuments ahead of the client (docs/proxy.md, "Prefetch"): when a packument comes fresh from the upstream,
 * the names its latest version depends on are read through the proxy's own read path in the background — local
 * first, the guard, the cache — so a client resolving the tree level by level finds most of the next level cached. A
 * few daemon threads and a bounded queue: when it is full, names are dropped (the client fetches them itself); a name
 * already queued is not queued twice; failures are only logged.
 */
final class Prefetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);
    private final ThreadPoolExecutor pool;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    /** {@code threads} = 0: prefetching is off. */
    Prefetcher(int threads) {
        if (threads == 0) {
            pool = null;
            return;
        }
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "airlock-prefetch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Reads each of {@code names} with {@code read} in the background, unless it is queued already. */
    void prefetch(Collection<String> names, Consumer<PackageName> read) {
        if (pool == null) {
            return;
        }
        for (String name : names) {
            PackageName parsed;
            try {
                parsed = PackageName.parse(name);
            } catch (RuntimeException e) {
                continue; // not a name a client could ask for either
            }
            if (!queued.add(name)) {
                continue;
            }
            try {
                pool.execute(() -> {
                    try {
                        read.accept(parsed);
                    } catch (RuntimeException e) {
                        LOG.debug("prefetch of {} failed: {}", name, e.getMessage());
                    } finally {
                        queued.remove(name);
                    }
                });
            } catch (RejectedExecutionException e) {
                queued.remove(name); // the queue is full: the client will ask for it itself
            }
        }
    }

    /** Stops the threads; queued names are dropped. */
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
