package dev.airlock.policy.http;

import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.policy.PolicyView;
import io.javalin.config.RoutesConfig;

/**
 * Airlock's org policy API (documented in docs/policies.md): {@code GET|PUT /-/airlock/v1/policy/org/ORG}.
 * The package policy API lives with the packages adapter.
 * PUT bodies set any of {"mfa","stagingRequired","approvals","require2fa","securityKeyApproval"}; absent fields stay as they are.
 */
public final class PolicyRoutes implements RouteModule {
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
        routes.put("/-/airlock/v1/policy/org/{org}", ctx -> {
            policies.setOrg(Requests.user(ctx), ctx.pathParam("org"), Policy.fromJson(Requests.jsonObject(ctx)));
            Responses.json(
                    ctx,
                    new PolicyView.OfOrg(
                            ctx.pathParam("org"), policies.ofOrg(Requests.user(ctx), ctx.pathParam("org"))));
        });
    }
}
