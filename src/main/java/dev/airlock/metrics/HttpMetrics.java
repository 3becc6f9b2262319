package dev.airlock.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request rate and latency by route family, method and status class, and read throughput. Each (family, method,
 * status class) timer is looked up once and kept in an array slot, so recording a request allocates nothing.
 */
final class HttpMetrics {
    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OTHER"};
    private static final String[] STATUS = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };
    private final MeterRegistry registry;
    /** Per family, a slot per (method, status class). */
    private final Map<RouteFamily, AtomicReferenceArray<Timer>> timers = new EnumMap<>(RouteFamily.class);

    private final Counter packumentReads;
    private final Counter tarballReads;
    private final Counter packumentBytes;
    private final Counter tarballBytes;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (RouteFamily f : RouteFamily.values()) {
            timers.put(f, new AtomicReferenceArray<>(METHODS.length * STATUS.length));
        }
        this.packumentReads = reads("packument");
        this.tarballReads = reads("tarball");
        this.packumentBytes = bytes("packument");
        this.tarballBytes = bytes("tarball");
    }

    private Counter reads(String kind) {
        return Counter.builder("airlock.reads")
                .description("Packuments (and version documents) and tarballs served, 304s included")
                .tag("kind", kind)
                .register(registry);
    }

    private Counter bytes(String kind) {
        return Counter.builder("airlock.served")
                .baseUnit("bytes")
                .description("Bytes of packuments and tarballs served (as sent, before any HTTP compression)")
                .tag("kind", kind)
                .register(registry);
    }

    /** One finished request; {@code bytes} is the response body's length when known, else -1. */
    void record(RouteFamily family, String method, int status, long nanos, long bytes) {
        int m = methodIndex(method);
        int s = Math.min(Math.max(status / 100, 1), 5) - 1;
        AtomicReferenceArray<Timer> slots = timers.get(family);
        int slot = m * STATUS.length + s;
        Timer t = slots.get(slot);
        if (t == null) {
            t = Timer.builder("airlock.http.server.requests")
                    .description("HTTP requests by route family, method and status class")
                    .tags("family", family.label(), "method", METHODS[m], "status", STATUS[s])
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            slots.set(slot, t);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
        boolean served = status == 304 || status >= 200 && status < 300;
        if (served && (m == 0 || m == 1)) {
            // a HEAD answer has a Content-Length but sends no body
            long sent = m == 0 ? bytes : 0;
            if (family == RouteFamily.PACKUMENT) {
                packumentReads.increment();
                if (sent > 0) {
                    packumentBytes.increment((double) sent);
                }
            } else if (family == RouteFamily.TARBALL) {
                tarballReads.increment();
                if (sent > 0) {
                    tarballBytes.increment((double) sent);
                }
            }
        }
    }

    private static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "PUT" -> 2;
            case "POST" -> 3;
            case "DELETE" -> 4;
            case "PATCH" -> 5;
            default -> 6;
        };
    }
}
