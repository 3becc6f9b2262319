package dev.airlock.audit.http;

import dev.airlock.audit.AuditFilter;
import dev.airlock.audit.AuditQueryService;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /-/airlock/v1/audit?package=&actor=&action=&since=&until=&after=&limit=} (docs/audit.md, "Query"): the
 * events the caller may see, in log order, as {@code {"events": [...], "next": SEQ or null}}; pass {@code next} as
 * {@code after=} for the following page.
 */
public final class AuditRoutes implements RouteModule {
    private final AuditQueryService query;

    public AuditRoutes(AuditQueryService query) {
        this.query = query;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/airlock/v1/audit", ctx -> {
            var viewer = Requests.user(ctx);
            AuditFilter filter = query.filter(ctx::queryParam);
            AuditQueryService.Page page = query.query(viewer, filter);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put(
                    "events",
                    page.events().stream().map(AuditQueryService::json).toList());
            out.put("next", page.next());
            Responses.json(ctx, out);
        });
    }
}
