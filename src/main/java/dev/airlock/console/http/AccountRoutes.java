package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.notifications.NotificationService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;

/** The account page: the authenticator app (set up, confirm), security keys and passkeys (add, remove). */
final class AccountRoutes {
    private final ConsoleWeb web;
    private final ConsolePages pages;
    private final TwoFactorService twoFactor;
    private final StepUp stepUp;
    private final NotificationService notifications;

    AccountRoutes(
            ConsoleWeb web,
            ConsolePages pages,
            TwoFactorService twoFactor,
            StepUp stepUp,
            NotificationService notifications) {
        this.notifications = notifications;
        this.web = web;
        this.pages = pages;
        this.twoFactor = twoFactor;
        this.stepUp = stepUp;
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/account", ctx -> web.guarded(ctx, s -> account(ctx, s, null, null, null)));
        routes.post(
                "/-/console/account/totp",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    pages.requirePassword(actor, ctx.formParam("password"));
                    actor = actor.withOtp(stepUp.otp(ctx, actor, "enrol-totp"));
                    var url = pages.enrolTotp(
                            actor, ctx.formParam("mode") == null ? "auth-and-writes" : ctx.formParam("mode"));
                    account(ctx, s, url.orElse(null), null, url.isEmpty() ? "Two-factor mode changed." : null);
                }));
        routes.post(
                "/-/console/account/totp/confirm",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    var codes = pages.confirmTotp(web.actor(ctx, s), ctx.formParam("otp"));
                    account(ctx, s, null, codes, "Two-factor authentication is on.");
                }));
        routes.post(
                "/-/console/account/keys",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    pages.requirePassword(actor, ctx.formParam("password"));
                    if (twoFactor.enabled(s.user()) && !web.console.recent(s, Duration.ofMinutes(10))) {
                        // a key is a new way in: with a factor already set up, only a session opened or stepped up
                        // lately may add one
                        throw AirlockException.forbidden(
                                "To add a security key, sign in again first (the last sign-in or confirmation was"
                                        + " more than ten minutes ago).");
                    }
                    var codes = twoFactor
                            .keys()
                            .finishRegistration(
                                    actor,
                                    ctx.formParam("ceremony"),
                                    ctx.formParam("credential"),
                                    ctx.formParam("name"));
                    ConsoleSession rotated = web.rotate(ctx, actor);
                    account(ctx, rotated, null, codes.isEmpty() ? null : codes, "Security key added.");
                }));
        routes.post(
                "/-/console/account/2fa-reset/cancel",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    pages.cancelReset(web.actor(ctx, s), s.user());
                    account(ctx, s, null, null, "The reset of your second factor is cancelled.");
                }));
        routes.post(
                "/-/console/account/keys/remove",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    String id = ctx.formParam("id");
                    Actor actor = web.actor(ctx, s);
                    twoFactor.keys().remove(actor.withOtp(stepUp.otp(ctx, actor, "remove-key:" + id)), id);
                    ctx.redirect("/-/console/account");
                }));
    }

    private void account(Context ctx, ConsoleSession s, String secretUrl, List<String> codes, String message) {
        web.render(
                ctx,
                200,
                "account.jte",
                web.chrome("Account", s, "account"),
                pages.account(s, secretUrl, codes, message).withPhrase(notifications.phrase(s.user())));
    }
}
