package dev.airlock.console.http;

import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;

/**
 * An org's page: its members and roles, its policies (owners change them with a fresh factor), and the members'
 * pending second-factor resets (owners cancel them).
 */
final class OrgRoutes {
    private final ConsoleWeb web;
    private final ConsolePages pages;
    private final StepUp stepUp;

    OrgRoutes(ConsoleWeb web, ConsolePages pages, StepUp stepUp) {
        this.web = web;
        this.pages = pages;
        this.stepUp = stepUp;
    }

    void register(RoutesConfig routes) {
        routes.get(
                "/-/console/orgs/{org}",
                ctx -> web.guarded(
                        ctx,
                        s -> web.render(
                                ctx,
                                200,
                                "org.jte",
                                web.chrome("Org " + ctx.pathParam("org"), s, null),
                                pages.org(web.actor(ctx, s), s, ctx.pathParam("org"), ctx.queryParam("done")))));
        routes.post(
                "/-/console/orgs/{org}/policy",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    pages.setOrgPolicy(
                            actor.withOtp(stepUp.otp(ctx, actor, "org-policy:" + ctx.pathParam("org"))),
                            ctx.pathParam("org"),
                            ctx.formParam("approvals"),
                            ctx.formParam("stagingRequired"),
                            ctx.formParam("require2fa"),
                            ctx.formParam("mfa"),
                            ctx.formParam("securityKeyApproval"));
                    ctx.redirect("/-/console/orgs/" + ctx.pathParam("org") + "?done=saved");
                }));
        routes.post(
                "/-/console/orgs/{org}/2fa-reset/cancel",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    pages.cancelReset(web.actor(ctx, s), ctx.formParam("user"));
                    ctx.redirect("/-/console/orgs/" + ctx.pathParam("org") + "?done=reset-cancelled");
                }));
    }
}
