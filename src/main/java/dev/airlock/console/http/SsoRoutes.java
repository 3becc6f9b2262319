package dev.airlock.console.http;

import dev.airlock.console.ConsoleService;
import dev.airlock.console.view.Notice;
import dev.airlock.platform.http.Requests;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.sso.SsoService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.util.HashMap;
import java.util.Map;

/**
 * Single sign-on in the console (docs/sso.md): a "Sign in with …" button starts at the provider, the provider sends
 * the browser back to the callback, which opens a console session. The flow's browser binding is a cookie of its
 * own, SameSite=Lax because the callback is a navigation from the provider's site (the session cookie is Strict,
 * so after the callback the browser is sent on by a page of this console rather than by a cross-site redirect).
 */
final class SsoRoutes {
    private final ConsoleWeb web;
    private final SsoService sso;
    private final SignInRoutes signIn;
    private final String cookieName;
    private final boolean https;

    SsoRoutes(ConsoleWeb web, SsoService sso, SignInRoutes signIn) {
        this.web = web;
        this.sso = sso;
        this.signIn = signIn;
        this.https = web.consoleUrl.startsWith("https:");
        this.cookieName = https ? "__Host-airlock-sso" : "airlock-sso";
    }

    void register(RoutesConfig routes) {
        routes.get("/-/console/sso/{provider}/start", this::start);
        routes.get("/-/console/sso/callback", this::callback);
    }

    private void start(Context ctx) {
        String next = NextPage.of(ctx.queryParam("next"));
        try {
            SsoService.Started started = sso.start(ctx.pathParam("provider"), next);
            go(ctx, started, https);
        } catch (AirlockException e) {
            web.notice(
                    ctx,
                    e.code().status(),
                    null,
                    new Notice("Sign in", e.getMessage(), "error", "sso-error", "/-/console/login", "Back to sign-in"));
        }
    }

    /** Sends the browser to the provider, with the cookie that binds the flow to it. */
    static void go(Context ctx, SsoService.Started started, boolean https) {
        bindBrowser(ctx, started, https);
        ctx.redirect(started.authorizationUrl());
    }

    /** The cookie that binds the flow to this browser (its callback must come back with it). */
    static void bindBrowser(Context ctx, SsoService.Started started, boolean https) {
        Cookie c = new Cookie(https ? "__Host-airlock-sso" : "airlock-sso", started.browserSecret());
        c.setPath("/");
        c.setHttpOnly(true);
        c.setSecure(https);
        c.setSameSite(SameSite.LAX);
        c.setMaxAge(600);
        ctx.cookie(c);
    }

    private void callback(Context ctx) {
        Map<String, String> params = new HashMap<>();
        for (String name : new String[] {"state", "code", "iss", "error"}) {
            String v = ctx.queryParam(name);
            if (v != null) {
                params.put(name, v);
            }
        }
        String browser = ctx.cookie(cookieName);
        try {
            SsoService.SignedIn in = sso.complete(params, browser, Requests.anonymous(ctx));
            // (kept after a refusal: a forged callback must not spoil the sign-in this browser has under way)
            ctx.removeCookie(cookieName, "/");
            if (in.presence()) {
                // a re-authentication for one operation: no session is opened; its form uses the confirmation
                Cookie c = new Cookie(StepUp.presenceCookieName(https), in.presenceSecret());
                c.setPath("/");
                c.setHttpOnly(true);
                c.setSecure(https);
                c.setSameSite(SameSite.STRICT);
                c.setMaxAge(300);
                ctx.cookie(c);
                web.notice(
                        ctx,
                        200,
                        null,
                        new Notice(
                                "Confirmed",
                                "You confirmed your presence at your identity provider. Continue to finish what you"
                                        + " were confirming.",
                                "ok",
                                "sso-presence-done",
                                in.next(),
                                "Continue"));
                return;
            }
            ConsoleService.Opened opened = web.console.signInWithSso(in.user(), Requests.anonymous(ctx));
            web.console.signOut(web.cookie(ctx));
            web.setCookie(ctx, opened.cookie());
            web.render(
                    ctx,
                    200,
                    "sso-done.jte",
                    web.chrome("Signed in", opened.session(), null),
                    new Notice(
                            "Signed in",
                            "You are signed in as " + in.user() + ".",
                            "ok",
                            "sso-signed-in",
                            in.next(),
                            "Continue"));
        } catch (AirlockException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                // a re-authentication for presence that does not count: nobody was signed out or in
                web.notice(
                        ctx,
                        403,
                        null,
                        new Notice(
                                "Not confirmed", e.getMessage(), "error", "sso-presence-error", "/-/console/", "Back"));
                return;
            }
            signIn.loginPage(ctx, e.code() == ErrorCode.NOT_FOUND ? 404 : 401, e.getMessage(), NextPage.HOME);
        }
    }
}
