package dev.airlock.console.http;

import dev.airlock.audit.AuditEvent;
import dev.airlock.audit.AuditFilter;
import dev.airlock.audit.AuditQueryService;
import dev.airlock.console.view.AuditLogPage;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The audit log page (docs/audit.md, "Query"): the filter form of {@code GET /-/airlock/v1/audit}, read with the
 * same rules, a page of events and a link to the next page (the log index cursor). A read-only GET form: no CSRF
 * token, nothing changes.
 */
final class AuditLogRoutes {
    static final int PAGE = 50;
    private static final List<String> FILTERS = List.of("package", "actor", "action", "since", "until");
    private final ConsoleWeb web;
    private final AuditQueryService query;

    AuditLogRoutes(ConsoleWeb web, AuditQueryService query) {
        this.web = web;
        this.query = query;
    }

    void register(RoutesConfig routes) {
        routes.get(
                "/-/console/audit",
                ctx -> web.guarded(ctx, s -> {
                    int status = 200;
                    String error = null;
                    List<AuditLogPage.Row> rows = List.of();
                    String next = null;
                    try {
                        AuditFilter filter = query.filter(name -> "limit".equals(name) ? null : ctx.queryParam(name))
                                .limit(PAGE);
                        AuditQueryService.Page page = query.query(web.actor(ctx, s), filter);
                        rows = page.events().stream().map(AuditLogRoutes::row).toList();
                        next = page.next() == null ? null : url(ctx, page.next());
                    } catch (AirlockException e) {
                        status = e.code().status();
                        error = e.getMessage();
                    }
                    web.render(
                            ctx,
                            status,
                            "audit.jte",
                            web.chrome("Audit log", s, "audit"),
                            new AuditLogPage(
                                    value(ctx, "package"),
                                    value(ctx, "actor"),
                                    value(ctx, "action"),
                                    value(ctx, "since"),
                                    value(ctx, "until"),
                                    error,
                                    rows,
                                    ctx.queryParam("after") == null ? null : url(ctx, null),
                                    next));
                }));
    }

    private static AuditLogPage.Row row(AuditEvent e) {
        return new AuditLogPage.Row(
                e.seq(), e.at(), e.outcome(), e.actor(), e.action(), e.target(), AuditQueryService.detailLine(e, 160));
    }

    private static String value(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? "" : v;
    }

    /** This page's filter with the cursor {@code after} (none: the first page). */
    private static String url(Context ctx, Long after) {
        StringBuilder b = new StringBuilder("/-/console/audit?");
        for (String name : FILTERS) {
            String v = ctx.queryParam(name);
            if (v != null && !v.isBlank()) {
                b.append(name)
                        .append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                        .append('&');
            }
        }
        if (after != null) {
            b.append("after=").append(after);
        }
        String u = b.toString();
        return u.endsWith("&") || u.endsWith("?") ? u.substring(0, u.length() - 1) : u;
    }
}
