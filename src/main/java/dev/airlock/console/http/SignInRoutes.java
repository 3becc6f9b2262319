package dev.airlock.console.http;

import dev.airlock.console.ConsoleService;
import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.SignInPage;
import dev.airlock.platform.http.Requests;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Signing in (password, then the app's code or the key), with a passkey alone, and signing out. */
final class SignInRoutes {
    private final ConsoleWeb web;
    private final ConsoleService console;
    private final TwoFactorService twoFactor;

    SignInRoutes(ConsoleWeb web, TwoFactorService twoFactor) {
        this.web = web;
        this.console = web.console;
        this.twoFactor = twoFactor;
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/login", ctx -> loginPage(ctx, 200, null, NextPage.of(ctx.queryParam("next"))));
        routes.post("/-/console/login", this::signIn);
        routes.post("/-/console/login/key", ctx -> signInWithKey(ctx, console::signInWithKey));
        routes.get(
                "/-/console/login/passkey",
                ctx -> web.render(
                        ctx,
                        200,
                        "login-passkey.jte",
                        web.chrome("Sign in with a passkey", null, null),
                        new SignInPage(
                                null,
                                NextPage.of(ctx.queryParam("next")),
                                null,
                                ConsoleWeb.key(
                                        twoFactor.keys().startPasskeyAssertion(),
                                        "sign-in-passkey",
                                        "Sign in with a passkey",
                                        "get"))));
        routes.post("/-/console/login/passkey", ctx -> signInWithKey(ctx, console::signInWithPasskey));
        routes.post("/-/console/logout", ctx -> {
            ConsoleSession s = web.session(ctx);
            if (s != null) {
                ConsoleWeb.requireCsrf(ctx, s);
                console.signOut(web.cookie(ctx));
            }
            web.removeCookie(ctx);
            ctx.redirect("/-/console/login");
        });
    }

    void loginPage(Context ctx, int status, String error, String next) {
        web.render(
                ctx,
                status,
                "login.jte",
                web.chrome("Sign in", null, null),
                new SignInPage(
                        error,
                        next,
                        "/-/console/login/passkey?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8),
                        null,
                        web.ssoButtons(next),
                        web.passwords()));
    }

    private void signIn(Context ctx) {
        String next = NextPage.of(ctx.formParam("next"));
        try {
            ConsoleService.SignIn in = console.signIn(
                    ctx.formParam("username"),
                    ctx.formParam("password"),
                    ctx.formParam("otp"),
                    Requests.anonymous(ctx));
            if (in.keyStep() != null) {
                web.render(
                        ctx,
                        200,
                        "login-key.jte",
                        web.chrome("Sign in", null, null),
                        new SignInPage(
                                null,
                                next,
                                null,
                                ConsoleWeb.key(in.keyStep(), "sign-in-key", "Use security key", "get")));
                return;
            }
            console.signOut(web.cookie(ctx));
            web.setCookie(ctx, in.opened().cookie());
            ctx.redirect(next);
        } catch (AirlockException e) {
            loginPage(
                    ctx,
                    e.code() == ErrorCode.TOO_MANY_REQUESTS
                            ? 429
                            : e.code() == ErrorCode.SERVICE_UNAVAILABLE ? 503 : 401,
                    e.code() == ErrorCode.OTP_REQUIRED
                            ? "This account uses two-factor authentication: enter the current one-time password."
                            : e.getMessage(),
                    next);
        }
    }

    /** Verifies a key's answer to a sign-in ceremony (after the password, or a passkey alone) and opens a session. */
    private interface KeySignIn {
        ConsoleService.Opened open(String ceremony, String credential, dev.airlock.shared.Actor attempt);
    }

    private void signInWithKey(Context ctx, KeySignIn signIn) {
        String next = NextPage.of(ctx.formParam("next"));
        try {
            ConsoleService.Opened opened =
                    signIn.open(ctx.formParam("ceremony"), ctx.formParam("credential"), Requests.anonymous(ctx));
            console.signOut(web.cookie(ctx));
            web.setCookie(ctx, opened.cookie());
            ctx.redirect(next);
        } catch (AirlockException e) {
            loginPage(ctx, 401, e.getMessage(), next);
        }
    }
}
