package dev.airlock.console.http;

import dev.airlock.adoption.AdoptionService;
import dev.airlock.console.ConsoleService;
import dev.airlock.console.view.AdoptionPage;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.shared.Actor;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;

/**
 * An org's adoption page (docs/adoption.md): the report for its owners and admins (everyone else gets 404), and for
 * owners the org-wide "require 2FA and staging" action with its preview, CSRF-checked and confirmed with a fresh
 * factor like every other org policy change.
 */
public final class AdoptionRoutes implements RouteModule {
    private final ConsoleWeb web;
    private final StepUp stepUp;
    private final AdoptionService adoption;

    public AdoptionRoutes(
            ConsoleService console, AdoptionService adoption, TwoFactorService twoFactor, String consoleUrl) {
        this.web = new ConsoleWeb(console, consoleUrl);
        this.stepUp = new StepUp(twoFactor);
        this.adoption = adoption;
    }

    static String purpose(String org) {
        return "org-policy:" + org + ":require-2fa-and-staging";
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(
                "/-/console/org/{org}/adoption",
                ctx -> web.guarded(ctx, s -> {
                    Actor actor = web.actor(ctx, s);
                    String org = ctx.pathParam("org");
                    var report = adoption.report(actor, org); // 404 unless an owner or admin
                    boolean owner = adoption.isOwner(actor, org);
                    web.render(
                            ctx,
                            200,
                            "adoption.jte",
                            web.chrome("Adoption in " + org, s, null),
                            new AdoptionPage(
                                    report,
                                    owner ? adoption.preview(actor, org) : null,
                                    owner && stepUp.showOtp(s.user()),
                                    owner
                                            ? stepUp.key(
                                                    s,
                                                    purpose(org),
                                                    "require-org-wide-key",
                                                    "Confirm with security key")
                                            : null,
                                    ctx.queryParam("done") != null));
                }));
        routes.post(
                "/-/console/org/{org}/adoption/require",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    String org = ctx.pathParam("org");
                    adoption.report(actor, org); // 404 unless an owner or admin; setOrg refuses admins
                    adoption.requireTwoFactorAndStaging(actor.withOtp(stepUp.otp(ctx, actor, purpose(org))), org);
                    ctx.redirect("/-/console/org/" + org + "/adoption?done=1");
                }));
    }
}
