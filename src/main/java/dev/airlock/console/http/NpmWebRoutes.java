package dev.airlock.console.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.console.ConsoleSession;
import dev.airlock.console.WebLoginService;
import dev.airlock.console.view.Notice;
import dev.airlock.console.view.NpmPages;
import dev.airlock.console.view.ReviewView;
import dev.airlock.console.view.StagePages;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.Responses;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.KeyChallenge;
import dev.airlock.sso.SsoService;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StageState;
import dev.airlock.staging.StagingService;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pages and endpoints npm's browser flows use. `npm login` (web): {@code POST /-/v1/login} answers loginUrl and
 * doneUrl, the person signs in at loginUrl, the CLI polls doneUrl. Web OTP: a command that needs a second factor of
 * a user with a key gets an authUrl (the confirm page here) and a doneUrl it polls for a single-use code. Both pages
 * show where and when the request came from; a confirmation of approving a staged release shows its risk summary
 * and the exact integrity.
 */
final class NpmWebRoutes {
    /** The operation text of a staged decision, as the staging service names it: "approve NAME@VERSION". */
    private static final Pattern STAGE_OPERATION = Pattern.compile("(approve|reject) (.+)@([^@]+)");

    private static final HandlerType[] POLL_METHODS = {
        HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.DELETE
    };
    private final ConsoleWeb web;
    private final WebLoginService webLogin;
    private final TwoFactorService twoFactor;
    private final StagingService staging;
    private final StepUp stepUp;
    private final String base;

    NpmWebRoutes(
            ConsoleWeb web,
            WebLoginService webLogin,
            TwoFactorService twoFactor,
            StagingService staging,
            StepUp stepUp,
            String base) {
        this.web = web;
        this.webLogin = webLogin;
        this.twoFactor = twoFactor;
        this.staging = staging;
        this.stepUp = stepUp;
        this.base = base;
    }

    void register(RoutesConfig routes) {
        routes.post("/-/v1/login", this::startWebLogin);
        for (HandlerType method : POLL_METHODS) {
            // the CLI polls doneUrl with whatever method its request used
            routes.addHttpHandler(method, "/-/v1/done", this::pollWebLogin);
        }
        routes.get("/-/console/web-login/{id}", ctx -> webLoginPage(ctx, web.session(ctx), ctx.pathParam("id"), null));
        routes.post("/-/console/web-login/{id}", this::completeWebLogin);
        routes.post(
                "/-/console/web-login/{id}/continue",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    String id = ctx.pathParam("id");
                    Actor actor = web.actor(ctx, s);
                    webLogin.completeForSession(id, actor.withOtp(stepUp.otp(ctx, actor, "web-login:" + id)));
                    ConsoleSession rotated = web.rotate(ctx, actor);
                    web.notice(ctx, 200, rotated, loggedIn());
                }));
        routes.get("/-/console/confirm/{id}", ctx -> web.guarded(ctx, s -> confirmPage(ctx, s)));
        routes.post(
                "/-/console/confirm/{id}/idp",
                ctx -> web.guarded(ctx, s -> {
                    // "Confirm with <IdP>": re-authenticate there for this confirmation, then back to this page
                    ConsoleWeb.requireCsrf(ctx, s);
                    String id = ctx.pathParam("id");
                    if (twoFactor.webOtp().pendingConfirmation(s.user(), id).isEmpty()) {
                        throw AirlockException.notFound(
                                "This confirmation has expired or is not yours. Run the command again.");
                    }
                    stepUp.goToIdp(ctx, web, s, "confirm:" + id, "/-/console/confirm/" + id);
                }));
        routes.post(
                "/-/console/confirm/{id}",
                ctx -> web.guarded(ctx, s -> {
                    ConsoleWeb.requireCsrf(ctx, s);
                    Actor actor = web.actor(ctx, s);
                    String id = ctx.pathParam("id");
                    var pending = twoFactor.webOtp().pendingConfirmation(s.user(), id);
                    NpmPages.Target target = pending.isEmpty()
                            ? null
                            : target(actor, pending.get().operation());
                    if (target != null
                            && !Hashes.same(
                                    ctx.formParam("integrity"), target.stage().integrity())) {
                        throw AirlockException.conflict(
                                "The staged bytes are not the ones this page showed you; reload the page and review"
                                        + " again before you confirm.");
                    }
                    if (ctx.formParam("idp") != null) {
                        // a re-authentication at the identity provider made for this confirmation (docs/sso.md)
                        SsoService.Presence p = stepUp.idpPresence(ctx, actor, "confirm:" + id);
                        twoFactor.webOtp().confirmWithIdentityProvider(actor, id, p.factor(), p.phishingResistant());
                    } else {
                        twoFactor
                                .webOtp()
                                .confirmWithKey(actor, id, ctx.formParam("ceremony"), ctx.formParam("credential"));
                    }
                    ConsoleSession rotated = web.rotate(ctx, actor);
                    web.notice(
                            ctx,
                            200,
                            rotated,
                            new Notice(
                                    "Confirmed",
                                    "Return to your terminal: npm goes on by itself.",
                                    "ok",
                                    "confirmed",
                                    null,
                                    null));
                }));
        for (HandlerType method : POLL_METHODS) {
            routes.addHttpHandler(method, "/-/airlock/v1/confirm/{done}", ctx -> {
                String code = twoFactor.webOtp().pollConfirmation(ctx.pathParam("done"), Requests.actor(ctx));
                if (code == null) {
                    ctx.header("Retry-After", "1");
                    Responses.json(ctx, 202, Map.of());
                } else {
                    Responses.json(ctx, Map.of("token", code));
                }
            });
        }
    }

    private void startWebLogin(Context ctx) {
        JsonNode body = Requests.json(ctx);
        if (body.path("create").asBoolean(false)) {
            // account creation happens in the couch flow, which refuses it unless auth.allowSignup is on (npm falls
            // back on 404)
            throw AirlockException.notFound("Creating accounts through the browser is not available; use npm adduser.");
        }
        String id = webLogin.start(Requests.source(ctx), ctx.header("User-Agent"));
        Responses.json(
                ctx,
                Map.of(
                        "loginUrl",
                        base + "/-/console/web-login/" + id,
                        "doneUrl",
                        base + "/-/v1/done?sessionId=" + id));
    }

    private void pollWebLogin(Context ctx) {
        String token = webLogin.poll(ctx.queryParam("sessionId"));
        if (token == null) {
            // every poll answer must be JSON, and Retry-After keeps the CLI from polling in a tight loop
            ctx.header("Retry-After", "1");
            Responses.json(ctx, 202, Map.of());
        } else {
            Responses.json(ctx, Map.of("token", token));
        }
    }

    private static Notice loggedIn() {
        return new Notice(
                "Logged in",
                "You are logged in. Return to your terminal: npm has its token.",
                "ok",
                "web-login-done",
                null,
                null);
    }

    private void webLoginPage(Context ctx, ConsoleSession s, String id, String error) {
        var request = webLogin.request(id);
        String shown = error != null
                ? error
                : request.isEmpty() ? "This login link has expired or was already used. Run `npm login` again." : null;
        NpmPages.Origin origin = request.map(r -> new NpmPages.Origin(r.createdAt(), r.source(), r.userAgent()))
                .orElse(null);
        boolean signedIn = s != null && shown == null;
        web.render(
                ctx,
                request.isEmpty() ? 404 : error != null ? 401 : 200,
                "web-login.jte",
                web.chrome("Log in to npm", s, null),
                new NpmPages.WebLogin(
                        id,
                        shown,
                        origin,
                        signedIn ? s.user() : null,
                        signedIn && stepUp.showOtp(s.user()),
                        signedIn
                                ? stepUp.key(s, "web-login:" + id, "continue-key", "Continue with security key")
                                : null,
                        "/-/console/login?next=/-/console/web-login/" + id,
                        web.ssoButtons("/-/console/web-login/" + id),
                        web.passwords()));
    }

    private void completeWebLogin(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            webLogin.complete(
                    id,
                    ctx.formParam("username"),
                    ctx.formParam("password"),
                    ctx.formParam("otp"),
                    Requests.anonymous(ctx));
            web.notice(ctx, 200, null, loggedIn());
        } catch (KeyChallenge e) {
            ctx.redirect("/-/console/login?next=/-/console/web-login/" + id);
        } catch (AirlockException e) {
            webLoginPage(
                    ctx,
                    null,
                    id,
                    e.code() == ErrorCode.OTP_REQUIRED
                            ? "This account uses two-factor authentication: enter the current one-time password."
                            : e.getMessage());
        }
    }

    private void confirmPage(Context ctx, ConsoleSession s) {
        String id = ctx.pathParam("id");
        var pending = twoFactor.webOtp().pendingConfirmation(s.user(), id);
        if (pending.isEmpty()) {
            web.notice(
                    ctx,
                    404,
                    s,
                    new Notice(
                            "Confirm",
                            "This confirmation has expired, was for another account, or does not exist."
                                    + " Run the command again.",
                            "error",
                            "gone",
                            "/-/console/",
                            "Back to staged releases"));
            return;
        }
        var p = pending.get();
        web.render(
                ctx,
                200,
                "confirm.jte",
                web.chrome("Confirm", s, null),
                new NpmPages.Confirm(
                        id,
                        p.operation(),
                        new NpmPages.Origin(p.createdAt(), p.source(), null),
                        p.confirmed(),
                        p.confirmed()
                                ? null
                                : stepUp.key(s, "confirm:" + id, "confirm-key", "Confirm with security key"),
                        target(web.actor(ctx, s), p.operation()),
                        p.confirmed()
                                ? List.of()
                                : stepUp.idps(s.user()).stream()
                                        .map(i -> new StagePages.Idp(i.name(), i.label()))
                                        .toList(),
                        !p.confirmed() && stepUp.idpConfirmed(ctx)));
    }

    /**
     * The staged release an "approve NAME@VERSION" (or reject) confirmation acts on: a version can be staged only
     * once at a time, so the pending stage of that name and version is the one; null for other operations.
     */
    private NpmPages.Target target(Actor actor, String operation) {
        Matcher m = STAGE_OPERATION.matcher(operation);
        if (!m.matches()) {
            return null;
        }
        for (StagingService.StageView v :
                staging.list(actor, m.group(2), 0, 100).items()) {
            Stage st = v.stage();
            if (st.pkg().equals(m.group(2)) && st.version().equals(m.group(3)) && st.status() == StageState.PENDING) {
                return new NpmPages.Target(
                        st, ReviewView.of(staging.review(actor, st.id())), "/-/console/stage/" + st.id());
            }
        }
        return null;
    }
}
