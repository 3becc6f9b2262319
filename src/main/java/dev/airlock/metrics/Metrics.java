package dev.airlock.metrics;

import dev.airlock.audit.AuditService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.staging.StagingService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongBiFunction;

/**
 * Prometheus metrics (docs/metrics.md): a Micrometer registry fed by the audit events as they commit, by the HTTP
 * adapter after each request, and at scrape time by one query for what waits for approval. Disabled (the default),
 * it holds no registry and the server registers no hooks: nothing is measured.
 */
public final class Metrics implements AutoCloseable {
    /** The Prometheus text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final byte[] tokenHash;
    private final HttpMetrics http;
    private final Supplier<StagingService.PendingSummary> pending;
    private final AtomicReference<StagingService.PendingSummary> lastPending = new AtomicReference<>();
    private final JvmGcMetrics gc;

    private Metrics(
            AirlockConfig.Metrics config,
            AuditService audit,
            Supplier<StagingService.PendingSummary> pending,
            ToLongBiFunction<String, String> tarballSize,
            LongSupplier writeRetries,
            Supplier<long[]> packumentCache) {
        this.pending = pending;
        if (!config.enabled()) {
            this.registry = null;
            this.tokenHash = null;
            this.http = null;
            this.gc = null;
            return;
        }
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // ProcessorMetrics' process.cpu.time counts nanoseconds (process_cpu_time_ns_total, which Prometheus' lint
        // refuses): the conventional process_cpu_seconds_total instead (below)
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        // and system.cpu.count, a gauge whose _count suffix the lint reserves for histograms and summaries
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus.available") : id;
            }
        });
        this.tokenHash = config.token().isEmpty() ? null : sha256(config.token());
        this.http = new HttpMetrics(registry);
        audit.onRecorded(new AuditMetrics(registry, tarballSize));
        Gauge.builder(
                        "airlock.stages.pending",
                        lastPending,
                        p -> p.get() == null ? 0 : p.get().count())
                .description("Staged versions waiting for approval (not past their expiry)")
                .register(registry);
        Gauge.builder(
                        "airlock.stage.oldest.pending.age",
                        lastPending,
                        p -> p.get() == null ? 0 : p.get().oldestAge().toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("How long the oldest pending staged version has waited; 0 when none waits")
                .register(registry);
        FunctionCounter.builder("airlock.db.write.retries", writeRetries, LongSupplier::getAsLong)
                .description(
                        "Write transactions run again after losing a conflict (PostgreSQL), since this node started")
                .register(registry);
        FunctionCounter.builder("airlock.packument.cache.hits", packumentCache, c -> c.get()[0])
                .description("Packument reads answered from memory, since this node started")
                .register(registry);
        FunctionCounter.builder("airlock.packument.cache.misses", packumentCache, c -> c.get()[1])
                .description("Packument reads that assembled the document from the database, since this node started")
                .register(registry);
        Gauge.builder("airlock.packument.cache", packumentCache, c -> c.get()[2])
                .baseUnit("bytes")
                .description("Bytes of packument bodies held in memory (cache.packumentBytes bounds them)")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the Java Virtual Machine process")
                    .register(registry);
        }
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Metrics as {@code config} says: the domain counters listen to {@code audit} (and ask {@code packages} the size
     * of each published tarball); the gauges ask {@code staging}; {@code writeRetries} counts the database's retried
     * write transactions.
     */
    public static Metrics create(
            AirlockConfig.Metrics config,
            AuditService audit,
            StagingService staging,
            PackageService packages,
            LongSupplier writeRetries) {
        return new Metrics(
                config,
                audit,
                staging::pendingSummary,
                (pkg, version) -> packages.tarball(Actor.operator(), PackageName.parse(pkg), version)
                        .size(),
                writeRetries,
                packages::cacheFigures);
    }

    public boolean enabled() {
        return registry != null;
    }

    /**
     * The scrape, for a request carrying {@code authorization} (the header's value, or null): 404 when metrics are
     * off, 401 when a token is configured and the request does not carry it.
     */
    public String scrape(String authorization) {
        if (registry == null) {
            throw AirlockException.notFound("Not found");
        }
        if (tokenHash != null) {
            String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? authorization.substring(7).trim()
                    : "";
            // compare digests: constant time, and the same length whatever was sent
            if (!MessageDigest.isEqual(tokenHash, sha256(presented))) {
                throw AirlockException.unauthorized("Scraping the metrics needs the bearer token set in"
                        + " metrics.token: send Authorization: Bearer <token> (see docs/metrics.md).");
            }
        }
        lastPending.set(pending.get());
        return registry.scrape();
    }

    /** One finished HTTP request; {@code bytes} is the body's length when known, else -1. No-op when disabled. */
    public void request(RouteFamily family, String method, int status, long nanos, long bytes) {
        if (http != null) {
            http.record(family, method, status, nanos, bytes);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
