package dev.airlock.console.http;

import dev.airlock.shared.Actor;
import io.javalin.config.RoutesConfig;

/** The user's tokens: what each reaches and when it was used; revoking one takes a fresh factor. */
final class TokenRoutes {
    private final ConsoleWeb web;
    private final ConsolePages pages;
    private final StepUp stepUp;

    TokenRoutes(ConsoleWeb web, ConsolePages pages, StepUp stepUp) {
        this.web = web;
        this.pages = pages;
        this.stepUp = stepUp;
    }

    void register(RoutesConfig routes) {
        routes.get(
                "/-/console/tokens",
                ctx -> web.guarded(
                        ctx,
                        s -> web.render(
                                ctx,
                                200,
                                "tokens.jte",
                                web.chrome("Tokens", s, "tokens"),
                                pages.tokens(s, ctx.queryParam("done")))));
        routes.post(
                "/-/console/tokens/{key}/revoke",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    pages.revokeToken(
                            actor.withOtp(stepUp.otp(ctx, actor, "revoke-token:" + ctx.pathParam("key"))),
                            ctx.pathParam("key"));
                    ctx.redirect("/-/console/tokens?done=revoked");
                }));
    }
}
