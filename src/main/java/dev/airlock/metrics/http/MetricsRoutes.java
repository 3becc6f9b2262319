package dev.airlock.metrics.http;

import dev.airlock.metrics.Metrics;
import dev.airlock.metrics.RouteFamily;
import dev.airlock.platform.http.RequestObserver;
import dev.airlock.platform.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * {@code GET /-/metrics} (not {@code /metrics}: that is the packument of the npm package named "metrics"), and, when
 * metrics are enabled, a before/after pair that times every request by route family. Register it before the package
 * paths so its route wins over {@code /<path>}.
 */
public final class MetricsRoutes implements RouteModule, RequestObserver {
    private static final String STARTED = "airlock.metrics.started";
    private final Metrics metrics;

    public MetricsRoutes(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/metrics", this::scrape);
        if (!metrics.enabled()) {
            return; // no hooks: a disabled registry costs the requests nothing
        }
        routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
        // after-handlers run also when the handler failed, once the error is mapped to its status
        routes.after(this::measured);
    }

    private void scrape(Context ctx) {
        String body = metrics.scrape(ctx.header("Authorization"));
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(Metrics.CONTENT_TYPE);
        ctx.result(body);
    }

    private void measured(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        long nanos = System.nanoTime() - started;
        String method = ctx.method().name();
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        String pattern = endpoint == null ? null : endpoint.path;
        RouteFamily family = "/<path>".equals(pattern)
                ? RouteFamily.ofPackagePath(method.equals("GET") || method.equals("HEAD"), ctx.path())
                : RouteFamily.ofPattern(pattern);
        record(family, method, ctx.statusCode(), nanos, bodyLength(ctx));
    }

    /** A read the fast path answered before the routes (always a package path). */
    @Override
    public void observed(String method, String path, int status, long nanos, long bytes) {
        if (metrics.enabled()) {
            record(RouteFamily.ofPackagePath(true, path), method, status, nanos, bytes);
        }
    }

    private void record(RouteFamily family, String method, int status, long nanos, long bytes) {
        if (family == RouteFamily.HEALTH) {
            return; // load balancers' probes: neither traffic nor, when a node is not ready, an error
        }
        metrics.request(family, method, status, nanos, bytes);
    }

    /** The length of the body about to be sent: its Content-Length, or the size of an in-memory result. */
    private static long bodyLength(Context ctx) {
        String length = ctx.res().getHeader("Content-Length");
        if (length != null) {
            try {
                return Long.parseLong(length);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        InputStream in = ctx.resultInputStream();
        return in instanceof ByteArrayInputStream b ? b.available() : -1;
    }
}
