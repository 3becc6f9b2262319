package dev.airlock.staging.http;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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
        routes.get(
                "/-/stage/{id}",
                ctx -> Responses.json(ctx, item(staging.view(Requests.user(ctx), ctx.pathParam("id")))));
        routes.get("/-/stage/{id}/tarball", ctx -> {
            TarballRef ref = staging.tarball(Requests.user(ctx), ctx.pathParam("id"));
            ctx.header("Cache-Control", "no-store");
            Responses.tarball(ctx, staging.open(ref), ref.size());
        });
        routes.post("/-/stage/{id}/approve", this::approve);
        // Airlock's review of a staged version (the console renders the same data): signals, files, diffs
        routes.get(
                "/-/airlock/v1/stage/{id}/review",
                ctx -> Responses.json(ctx, staging.review(Requests.user(ctx), ctx.pathParam("id"))));
        routes.delete("/-/stage/{id}", ctx -> {
            staging.reject(Requests.user(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    private void stage(Context ctx) {
        NpmPath p = NpmPath.packageAfter(ctx.req().getRequestURI(), STAGE_PACKAGE);
        Actor actor = Requests.user(ctx);
        Stage s = staging.stage(actor, p.name(), Requests.jsonObject(ctx));
        Responses.json(
                ctx,
                201,
                new Staged(
                        s.id(),
                        s.pkg(),
                        s.version(),
                        s.tag(),
                        Instant.ofEpochMilli(s.expiresAt()).toString()));
    }

    /** npm prints "+ name@version (staged with id <stageId>)"; a missing stageId prints "(staged)". */
    record Staged(String stageId, String packageName, String version, String tag, String expiresAt) {}

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
        Responses.json(
                ctx,
                new StageList(listing.items().stream().map(StagingRoutes::item).toList(), listing.total()));
    }

    /** One page of npm stage list. */
    record StageList(List<StageItem> items, int total) {}

    private void approve(Context ctx) {
        StagingService.Decision d = staging.approve(Requests.user(ctx), ctx.pathParam("id"));
        Approved out = new Approved(
                d.stage().id(),
                d.stage().pkg(),
                d.stage().version(),
                d.published(),
                d.approvals() + "/" + d.required());
        if (!d.published()) {
            // npm prints any 2xx as "approved and published"; this notice tells a partial approval apart.
            Responses.notice(
                    ctx,
                    d.approvals() + " of " + d.required() + " approvals recorded; "
                            + d.stage().pkg() + "@" + d.stage().version() + " is not published yet.");
        }
        Responses.json(ctx, out);
    }

    /** The answer to npm stage approve; {@code approvals} is "recorded/required". */
    record Approved(String id, String packageName, String version, boolean published, String approvals) {}

    static StageItem item(StagingService.StageView v) {
        Stage s = v.stage();
        Map<String, String> ci = new LinkedHashMap<>();
        if (s.ciJson() != null) {
            // the CI identity of a trusted-publishing upload, as scalar fields (npm prints objects as [object Object])
            com.fasterxml.jackson.databind.JsonNode json = dev.airlock.platform.json.Json.parse(s.ciJson());
            json.properties()
                    .forEach(e -> ci.put(
                            "ci" + Character.toUpperCase(e.getKey().charAt(0))
                                    + e.getKey().substring(1),
                            e.getValue().asText()));
        }
        return new StageItem(
                s.id(),
                s.pkg(),
                s.version(),
                s.tag(),
                Instant.ofEpochMilli(s.createdAt()).toString(),
                s.actor(),
                s.actorType(),
                s.shasum(),
                s.integrity(),
                s.size(),
                s.status().wire(),
                Instant.ofEpochMilli(s.expiresAt()).toString(),
                v.approvals().size() + "/" + s.approvalsRequired(),
                ci,
                v.approvals().isEmpty()
                        ? null
                        : String.join(
                                ", ", v.approvals().stream().map(Approval::user).toList()));
    }

    /**
     * The stage item npm stage list and view print; every field stays scalar (objects print as [object Object]):
     * the CI identity of a trusted-publishing upload is spread into {@code ci*} fields, and {@code approvedBy}
     * appears once someone approved.
     */
    @JsonPropertyOrder({
        "id",
        "packageName",
        "version",
        "tag",
        "createdAt",
        "actor",
        "actorType",
        "shasum",
        "integrity",
        "size",
        "state",
        "expiresAt",
        "approvals",
        "ci",
        "approvedBy"
    })
    record StageItem(
            String id,
            String packageName,
            String version,
            String tag,
            String createdAt,
            String actor,
            String actorType,
            String shasum,
            String integrity,
            long size,
            String state,
            String expiresAt,
            String approvals,
            @JsonAnyGetter Map<String, String> ci,
            @JsonInclude(JsonInclude.Include.NON_NULL) String approvedBy) {}

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
