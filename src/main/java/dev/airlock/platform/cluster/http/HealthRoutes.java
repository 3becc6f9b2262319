package dev.airlock.platform.cluster.http;

import dev.airlock.platform.cluster.Health;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /-/health/live} (the process answers) and {@code GET /-/health/ready} (it can serve: database, migrations,
 * blob store), for load balancers and orchestrators; no authentication, nothing about the data. Register before the
 * package paths.
 */
public final class HealthRoutes implements RouteModule {
    private final Health health;

    public HealthRoutes(Health health) {
        this.health = health;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/health/live", ctx -> answer(ctx, 200, Map.of("status", "live")));
        routes.get("/-/health/ready", this::ready);
    }

    private void ready(Context ctx) {
        String problem = health.problem();
        if (problem == null) {
            answer(ctx, 200, Map.of("status", "ready"));
            return;
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", "not ready");
        body.put("error", problem);
        answer(ctx, 503, body);
    }

    private static void answer(Context ctx, int status, Map<String, String> body) {
        Responses.json(ctx, status, body);
    }
}
