package dev.airlock.policy.http;

import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.policy.PolicyView;
import dev.airlock.shared.AirlockException;
import io.javalin.config.RoutesConfig;

/**
 * Airlock's org policy API (documented in docs/policies.md): {@code GET|PUT /-/airlock/v1/policy/org/ORG}, and the
 * pre-flight question {@code GET /-/airlock/v1/package/NAME/policy} (docs/preflight.md).
 * The package policy API lives with the packages adapter.
 * PUT bodies set any of {"mfa","stagingRequired","approvals","require2fa","securityKeyApproval"}; absent fields stay as they are.
 */
public final class PolicyRoutes implements RouteModule {
    private static final String PACKAGE_PREFIX = "/-/airlock/v1/package";
    private final PolicyService policies;

    public PolicyRoutes(PolicyService policies) {
        this.policies = policies;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(
                "/-/airlock/v1/policy/org/{org}",
                ctx -> Responses.json(
                        ctx,
                        new PolicyView.OfOrg(
                                ctx.pathParam("org"), policies.ofOrg(Requests.user(ctx), ctx.pathParam("org")))));
        routes.get(PACKAGE_PREFIX + "/<path>", ctx -> {
            NpmPath p = NpmPath.parse(ctx.req().getRequestURI().substring(PACKAGE_PREFIX.length()));
            if (p.size() != 1 || !"policy".equals(p.at(0))) {
                throw AirlockException.notFound("Not found");
            }
            Responses.json(ctx, policies.preflight().answer(Requests.actor(ctx), p.name()));
        });
        routes.put("/-/airlock/v1/policy/org/{org}", ctx -> {
            policies.setOrg(Requests.user(ctx), ctx.pathParam("org"), Policy.fromJson(Requests.jsonObject(ctx)));
            Responses.json(
                    ctx,
                    new PolicyView.OfOrg(
                            ctx.pathParam("org"), policies.ofOrg(Requests.user(ctx), ctx.pathParam("org"))));
        });
    }
}
