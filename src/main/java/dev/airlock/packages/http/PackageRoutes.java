package dev.airlock.packages.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.orgs.OrgService;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.Packages;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.Action;
import dev.airlock.policy.Gate;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The /-/ API of packages: dist-tags, visibility and access, collaborators, package listings, team grants, and
 * Airlock's package policy API. Every change asks the {@link Gate} first, then calls one use case.
 */
public final class PackageRoutes implements RouteModule {
    private static final String PACKAGE_PREFIX = "/-/package/";
    private static final String POLICY_PREFIX = "/-/airlock/v1/policy/package";
    private final PackageService packages;
    private final Packages useCases;
    private final OrgService orgs;
    private final PolicyService policies;
    private final Gate gate;

    public PackageRoutes(Packages packages, OrgService orgs, PolicyService policies) {
        this.packages = packages.reads();
        this.useCases = packages;
        this.orgs = orgs;
        this.policies = policies;
        this.gate = policies.gate();
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/-/package/<path>", this::getPackageApi);
        routes.put("/-/package/<path>", this::putPackageApi);
        routes.post("/-/package/<path>", this::postPackageApi);
        routes.delete("/-/package/<path>", this::deletePackageApi);
        routes.get("/-/v1/search", new SearchHandler(packages)::handle);
        // Airlock's package policy API (docs/policies.md)
        routes.get(
                POLICY_PREFIX + "/<path>",
                ctx -> Responses.json(
                        ctx,
                        policies.ofPackageView(
                                Requests.user(ctx), policyPath(ctx).name())));
        routes.put(POLICY_PREFIX + "/<path>", ctx -> {
            NpmPath p = policyPath(ctx);
            policies.setPackage(Requests.user(ctx), p.name(), Policy.fromJson(Requests.jsonObject(ctx)));
            Responses.json(ctx, policies.ofPackageView(Requests.user(ctx), p.name()));
        });
        routes.get("/-/org/{org}/package", ctx -> {
            Actor actor = Requests.user(ctx);
            String org = OrgService.validName(ctx.pathParam("org"), "org");
            orgs.members(actor, org); // 404 when the org does not exist or the caller is not a member
            Responses.json(ctx, useCases.ownership().packagesOf(actor, org, true));
        });
        routes.get("/-/user/{user}/package", ctx -> {
            Actor actor = Requests.user(ctx);
            Responses.json(ctx, useCases.ownership().packagesOf(actor, ctx.pathParam("user"), false));
        });
        routes.get(
                "/-/team/{org}/{team}/package",
                ctx -> Responses.json(
                        ctx,
                        useCases.ownership()
                                .teamPackages(Requests.user(ctx), ctx.pathParam("org"), ctx.pathParam("team"), orgs)));
        routes.put("/-/team/{org}/{team}/package", ctx -> {
            JsonNode body = Requests.jsonObject(ctx);
            NpmPath name = NpmPath.parse(Requests.text(body, "package"));
            gate.authorise(Requests.user(ctx), Action.CHANGE_ACCESS, name.name());
            useCases.ownership()
                    .grant(
                            Requests.user(ctx),
                            OrgService.validName(ctx.pathParam("org"), "org"),
                            OrgService.validName(ctx.pathParam("team"), "team"),
                            name.name(),
                            Requests.text(body, "permissions"),
                            orgs);
            Responses.json(ctx, 201, Map.of("ok", true));
        });
        routes.delete("/-/team/{org}/{team}/package", ctx -> {
            JsonNode body = Requests.jsonObject(ctx);
            NpmPath name = NpmPath.parse(Requests.text(body, "package"));
            gate.authorise(Requests.user(ctx), Action.CHANGE_ACCESS, name.name());
            useCases.ownership()
                    .revoke(
                            Requests.user(ctx),
                            OrgService.validName(ctx.pathParam("org"), "org"),
                            OrgService.validName(ctx.pathParam("team"), "team"),
                            name.name(),
                            orgs);
            ctx.status(204);
        });
    }

    private static NpmPath policyPath(Context ctx) {
        return NpmPath.packageAfter(ctx.req().getRequestURI(), POLICY_PREFIX);
    }

    private static NpmPath apiPath(Context ctx) {
        String raw = ctx.req().getRequestURI();
        return NpmPath.parse(raw.substring(PACKAGE_PREFIX.length() - 1));
    }

    private void getPackageApi(Context ctx) {
        NpmPath p = apiPath(ctx);
        Actor actor = Requests.actor(ctx);
        String what = p.size() > 0 ? p.at(0) : "";
        switch (what) {
            case "dist-tags" -> {
                if (p.size() != 1) {
                    throw AirlockException.notFound("Not found");
                }
                Responses.json(ctx, packages.distTags(actor, p.name()));
            }
            case "visibility" -> {
                boolean isPublic = useCases.ownership().isPublic(actor, p.name());
                // npm access get status prints this header as "npm notice …": the pre-flight answer (docs/preflight.md)
                String notice = policies.preflight().notice(actor, p.name());
                if (notice != null) {
                    ctx.header("npm-notice", notice);
                }
                Responses.json(ctx, Map.of("public", isPublic));
            }
            case "collaborators" ->
                Responses.json(ctx, useCases.ownership().collaborators(Requests.user(ctx), p.name(), orgs));
            default -> throw AirlockException.notFound("Not found");
        }
    }

    private void putPackageApi(Context ctx) {
        NpmPath p = apiPath(ctx);
        if (p.size() != 2 || !p.at(0).equals("dist-tags")) {
            throw AirlockException.notFound("Not found");
        }
        JsonNode body = Requests.json(ctx);
        if (!body.isTextual()) {
            throw AirlockException.badRequest("The body must be a JSON string naming the version, e.g. \"1.0.0\".");
        }
        Actor actor = Requests.user(ctx);
        gate.authorise(actor, Action.CHANGE_DIST_TAGS, p.name());
        useCases.distTags().setDistTag(actor, p.name(), p.at(1), body.asText());
        Responses.json(ctx, 201, Map.of("ok", true));
    }

    private void deletePackageApi(Context ctx) {
        NpmPath p = apiPath(ctx);
        if (p.size() != 2 || !p.at(0).equals("dist-tags")) {
            throw AirlockException.notFound("Not found");
        }
        Actor actor = Requests.user(ctx);
        gate.authorise(actor, Action.CHANGE_DIST_TAGS, p.name());
        useCases.distTags().removeDistTag(actor, p.name(), p.at(1));
        ctx.status(204);
    }

    private void postPackageApi(Context ctx) {
        NpmPath p = apiPath(ctx);
        if (p.size() != 1 || !p.at(0).equals("access")) {
            throw AirlockException.notFound("Not found");
        }
        Actor actor = Requests.user(ctx);
        JsonNode body = Requests.jsonObject(ctx);
        if (body.has("publish_requires_tfa")) {
            // npm access set mfa=none|publish|automation
            boolean requires = body.get("publish_requires_tfa").asBoolean();
            boolean automation = body.path("automation_token_overrides_tfa").asBoolean(false);
            String mfa = !requires ? Policy.MFA_NONE : automation ? Policy.MFA_AUTOMATION : Policy.MFA_PUBLISH;
            policies.setPackage(actor, p.name(), new Policy(mfa, null, null, null, null));
        } else {
            gate.authorise(actor, Action.CHANGE_ACCESS, p.name());
            useCases.ownership().setAccess(actor, p.name(), Requests.text(body, "access"));
        }
        Responses.json(ctx, Map.of("ok", true));
    }
}
