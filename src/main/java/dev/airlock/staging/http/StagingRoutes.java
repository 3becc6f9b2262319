package dev.airlock.staging.http;

import dev.airlock.packages.TarballRef;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.staging.Approval;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StagingService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The npm stage endpoints exactly as npm 11.19.1 calls them (docs/npm-protocol.md, "Staged publishing"). */
public final class StagingRoutes implements RouteModule {
    private static final String STAGE_PACKAGE = "/-/stage/package";
    private final StagingService staging;

    public StagingRoutes(StagingService staging) {
        this.staging = staging;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/-/stage/package/<path>", this::stage);
        routes.get("/-/stage", this::list);
        routes.get("/-/stage/{id}", ctx -> Responses.json(ctx, item(staging.view(Requests.user(ctx), ctx.pathParam("id")))));
        routes.get("/-/stage/{id}/tarball", ctx -> {
            TarballRef ref = staging.tarball(Requests.user(ctx), ctx.pathParam("id"));
            ctx.header("Cache-Control", "no-store");
            Responses.tarball(ctx, staging.open(ref), ref.size());
        });
        routes.post("/-/stage/{id}/approve", this::approve);
        // Airlock's review of a staged version (the console renders the same data): signals, files, diffs
        routes.get("/-/airlock/v1/stage/{id}/review", ctx -> Responses.json(ctx, staging.review(Requests.user(ctx), ctx.pathParam("id"))));
        routes.delete("/-/stage/{id}", ctx -> {
            staging.reject(Requests.user(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    private void stage(Context ctx) {
        NpmPath p = NpmPath.packageAfter(ctx.req().getRequestURI(), STAGE_PACKAGE);
        Actor actor = Requests.user(ctx);
        Stage s = staging.stage(actor, p.name(), Requests.jsonObject(ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        // npm prints "+ name@version (staged with id <stageId>)"; a missing stageId prints "(staged)".
        out.put("stageId", s.id());
        out.put("packageName", s.pkg());
        out.put("version", s.version());
        out.put("tag", s.tag());
        out.put("expiresAt", Instant.ofEpochMilli(s.expiresAt()).toString());
        Responses.json(ctx, 201, out);
    }

    /** npm stage list loops page=0,1,… with perPage=100 until it has `total` items or a short page. */
    private void list(Context ctx) {
        Actor actor = Requests.user(ctx);
        int page = intParam(ctx, "page", 0, 0, 1_000_000);
        int perPage = intParam(ctx, "perPage", 100, 1, 100);
        String pkg = ctx.queryParam("package");
        if (pkg != null && !pkg.isEmpty()) {
            pkg = NpmPath.parse("/" + pkg.replace("/", "%2f")).name().toString();
        } else {
            pkg = null;
        }
        StagingService.Listing listing = staging.list(actor, pkg, page, perPage);
        List<Map<String, Object>> items = new ArrayList<>();
        for (StagingService.StageView v : listing.items()) {
            items.add(item(v));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("total", listing.total());
        Responses.json(ctx, out);
    }

    private void approve(Context ctx) {
        StagingService.Decision d = staging.approve(Requests.user(ctx), ctx.pathParam("id"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", d.stage().id());
        out.put("packageName", d.stage().pkg());
        out.put("version", d.stage().version());
        out.put("published", d.published());
        out.put("approvals", d.approvals() + "/" + d.required());
        if (!d.published()) {
            // npm prints any 2xx as "approved and published"; this notice tells a partial approval apart.
            Responses.notice(ctx, d.approvals() + " of " + d.required() + " approvals recorded; " + d.stage().pkg() + "@"
                    + d.stage().version() + " is not published yet.");
        }
        Responses.json(ctx, out);
    }

    /** The stage item npm prints; extra fields stay scalar (objects print as [object Object]). */
    static Map<String, Object> item(StagingService.StageView v) {
        Stage s = v.stage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("packageName", s.pkg());
        m.put("version", s.version());
        m.put("tag", s.tag());
        m.put("createdAt", Instant.ofEpochMilli(s.createdAt()).toString());
        m.put("actor", s.actor());
        m.put("actorType", s.actorType());
        m.put("shasum", s.shasum());
        m.put("integrity", s.integrity());
        m.put("size", s.size());
        m.put("state", s.status().wire());
        m.put("expiresAt", Instant.ofEpochMilli(s.expiresAt()).toString());
        m.put("approvals", v.approvals().size() + "/" + s.approvalsRequired());
        if (s.ciJson() != null) {
            // the CI identity of a trusted-publishing upload, as scalar fields (npm prints objects as [object Object])
            com.fasterxml.jackson.databind.JsonNode ci = dev.airlock.platform.json.Json.parse(s.ciJson());
            ci.properties().forEach(e -> m.put("ci" + Character.toUpperCase(e.getKey().charAt(0)) + e.getKey().substring(1),
                    e.getValue().asText()));
        }
        if (!v.approvals().isEmpty()) {
            m.put("approvedBy", String.join(", ", v.approvals().stream().map(Approval::user).toList()));
        }
        return m;
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw AirlockException.badRequest(name + " must be between " + min + " and " + max + ".");
            }
            return v;
        } catch (NumberFormatException e) {
            throw AirlockException.badRequest(name + " must be a whole number.");
        }
    }
}
