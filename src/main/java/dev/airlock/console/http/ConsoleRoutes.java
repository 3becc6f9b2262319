package dev.airlock.console.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.console.ConsoleService;
import dev.airlock.console.ConsoleSession;
import dev.airlock.console.WebLoginService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.http.Requests;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.NpmPath;
import dev.airlock.review.ReleaseReview;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.staging.Stage;
import dev.airlock.staging.StagingService;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The web console: sign-in, what waits for the user, a review page per staged version (signals first), approval
 * and rejection with a fresh factor bound to the reviewed digest, and package pages showing how each version was
 * authorised. Server-rendered, no script; strict CSP; CSRF token on every form; session id rotated at sign-in and
 * at every step-up. The cookie is {@code __Host-}prefixed and Secure when the public URL is https; on plain http
 * (localhost) browsers refuse both, so it is then named {@code airlock-session} without Secure.
 */
public final class ConsoleRoutes implements RouteModule {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'";
    private static final String SCRIPT = resource("/console/webauthn.js");
    private final ConsoleService console;
    private final StagingService staging;
    private final PackageService packages;
    private final boolean https;
    private final String cookieName;
    private final ConsolePages pages;
    private final WebLoginService webLogin;
    private final String base;
    private final String consoleUrl;
    private final StepUp stepUp;
    private final TwoFactorService twoFactor;

    public ConsoleRoutes(ConsoleService console, StagingService staging, PackageService packages, ConsolePages pages,
                         WebLoginService webLogin, TwoFactorService twoFactor, String publicUrl, String consoleUrl) {
        this.webLogin = webLogin;
        this.twoFactor = twoFactor;
        this.stepUp = new StepUp(twoFactor);
        this.consoleUrl = consoleUrl;
        this.base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.console = console;
        this.staging = staging;
        this.packages = packages;
        this.pages = pages;
        this.https = consoleUrl.startsWith("https:");
        this.cookieName = https ? "__Host-airlock-session" : "airlock-session";
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.before("/-/console/*", ctx -> {
            ctx.header("Content-Security-Policy", CSP);
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "no-referrer");
            ctx.header("Cache-Control", "no-store");
        });
        routes.before("/-/console/*", ctx -> {
            // security keys work only on the console's own origin (a name, not a loopback IP): send browsers there
            String here = ctx.scheme() + "://" + ctx.host();
            if (ctx.method().equals(io.javalin.http.HandlerType.GET) && ctx.host() != null && !consoleUrl.startsWith(here + "/")
                    && !consoleUrl.equals(here) && consoleUrl.startsWith(ctx.scheme() + "://localhost")) {
                String q = ctx.queryString();
                ctx.redirect(consoleUrl + ctx.path() + (q == null ? "" : "?" + q));
                ctx.skipRemainingHandlers();
            }
        });
        routes.before("/-/console/*", ctx -> {
            // Forms sent from another site are refused before anything else: the CSRF token guards the forms of a
            // session, this also guards the sign-in forms (login CSRF: signing a victim in to the attacker's account).
            if (!ctx.method().equals(io.javalin.http.HandlerType.GET) && !ctx.method().equals(io.javalin.http.HandlerType.HEAD)
                    && crossSite(ctx.header("Origin"), ctx.header("Sec-Fetch-Site"), ctx.host())) {
                html(ctx, 403, Html.page("Refused", null, null, "<h1>Refused</h1><p class=\"error\" id=\"cross-site\">This form"
                        + " was sent from another site, so it was not accepted. Open the console at " + Html.esc(consoleUrl)
                        + " and try again.</p>"));
                ctx.skipRemainingHandlers();
            }
        });
        routes.get("/-/console/app.css", ctx -> {
            ctx.contentType("text/css");
            ctx.result(CSS);
        });
        routes.get("/-/console/webauthn.js", ctx -> {
            ctx.contentType("text/javascript");
            ctx.result(SCRIPT);
        });
        routes.get("/-/console/login", ctx -> html(ctx, 200, loginPage(null, next(ctx.queryParam("next")))));
        routes.post("/-/console/login", this::signIn);
        routes.post("/-/console/login/key", ctx -> signInWithKey(ctx, console::signInWithKey));
        routes.get("/-/console/login/passkey", ctx -> html(ctx, 200, Html.page("Sign in with a passkey", null, null,
                "<h1>Sign in with a passkey</h1><p>Your browser offers the passkeys it holds for this site; the key asks for"
                        + " its PIN or your fingerprint.</p><form method=\"post\" action=\"/-/console/login/passkey\">"
                        + "<input type=\"hidden\" name=\"next\" value=\"" + Html.esc(next(ctx.queryParam("next"))) + "\">"
                        + StepUp.keyFields(twoFactor.keys().startPasskeyAssertion(), "sign-in-passkey", "Sign in with a passkey", "get")
                        + "</form><p><a href=\"/-/console/login\">Sign in with your password instead</a></p>")));
        routes.post("/-/console/login/passkey", ctx -> signInWithKey(ctx, console::signInWithPasskey));
        routes.post("/-/console/logout", ctx -> {
            ConsoleSession s = session(ctx);
            if (s != null) {
                requireCsrf(ctx, s);
                console.signOut(ctx.cookie(cookieName));
            }
            ctx.removeCookie(cookieName, "/");
            ctx.redirect("/-/console/login");
        });
        routes.get("/-/console/", ctx -> guarded(ctx, s -> home(ctx, s)));
        routes.get("/-/console/stage/{id}", ctx -> guarded(ctx, s -> stagePage(ctx, s, ctx.pathParam("id"), ctx.queryParam("done"))));
        routes.post("/-/console/stage/{id}/approve", ctx -> guarded(ctx, s -> decide(ctx, s, true)));
        routes.post("/-/console/stage/{id}/reject", ctx -> guarded(ctx, s -> decide(ctx, s, false)));
        routes.get("/-/console/package/<path>", ctx -> guarded(ctx, s -> packagePage(ctx, s)));
        // npm login (web): POST /-/v1/login → {loginUrl, doneUrl}; the CLI polls doneUrl with whatever method it used
        routes.post("/-/v1/login", this::startWebLogin);
        for (io.javalin.http.HandlerType method : new io.javalin.http.HandlerType[] {io.javalin.http.HandlerType.GET,
            io.javalin.http.HandlerType.POST, io.javalin.http.HandlerType.PUT, io.javalin.http.HandlerType.DELETE}) {
            routes.addHttpHandler(method, "/-/v1/done", this::pollWebLogin);
        }
        routes.get("/-/console/web-login/{id}", ctx -> html(ctx, webLogin.exists(ctx.pathParam("id")) ? 200 : 404,
                webLoginPage(session(ctx), ctx.pathParam("id"), webLogin.exists(ctx.pathParam("id")) ? null
                        : "This login link has expired or was already used. Run `npm login` again.")));
        routes.post("/-/console/web-login/{id}", this::completeWebLogin);
        routes.post("/-/console/web-login/{id}/continue", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            String id = ctx.pathParam("id");
            Actor actor = actor(ctx, s, null);
            webLogin.completeForSession(id, actor.withOtp(stepUp.otp(ctx, actor, "web-login:" + id)));
            ConsoleSession rotated = rotate(ctx, actor);
            html(ctx, 200, Html.page("Logged in", s.user(), rotated.csrf(), WEB_LOGIN_DONE));
        }));
        // npm's web OTP for users with a security key: authUrl is this page, doneUrl is polled by the CLI
        routes.get("/-/console/confirm/{id}", ctx -> guarded(ctx, s -> confirmPage(ctx, s)));
        routes.post("/-/console/confirm/{id}", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            twoFactor.confirmWithKey(actor, ctx.pathParam("id"), ctx.formParam("ceremony"), ctx.formParam("credential"));
            ConsoleSession rotated = rotate(ctx, actor);
            html(ctx, 200, Html.page("Confirmed", s.user(), rotated.csrf(), "<h1>Confirmed</h1><p id=\"confirmed\">Return to your terminal:"
                    + " npm goes on by itself.</p>"));
        }));
        for (io.javalin.http.HandlerType method : new io.javalin.http.HandlerType[] {io.javalin.http.HandlerType.GET,
            io.javalin.http.HandlerType.POST, io.javalin.http.HandlerType.PUT, io.javalin.http.HandlerType.DELETE}) {
            routes.addHttpHandler(method, "/-/airlock/v1/confirm/{done}", ctx -> {
                String code = twoFactor.pollConfirmation(ctx.pathParam("done"), Requests.actor(ctx));
                if (code == null) {
                    ctx.header("Retry-After", "1");
                    dev.airlock.platform.http.Responses.json(ctx, 202, Map.of());
                } else {
                    dev.airlock.platform.http.Responses.json(ctx, Map.of("token", code));
                }
            });
        }
        routes.get("/-/console/account", ctx -> guarded(ctx, s -> html(ctx, 200, pages.account(s, null, null, null))));
        routes.post("/-/console/account/totp", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            pages.requirePassword(actor, ctx.formParam("password"));
            actor = actor.withOtp(stepUp.otp(ctx, actor, "enrol-totp"));
            var url = pages.enrolTotp(actor, ctx.formParam("mode") == null ? "auth-and-writes" : ctx.formParam("mode"));
            html(ctx, 200, pages.account(s, url.orElse(null), null, url.isEmpty() ? "Two-factor mode changed." : null));
        }));
        routes.post("/-/console/account/totp/confirm", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            var codes = pages.confirmTotp(actor(ctx, s, null), ctx.formParam("otp"));
            html(ctx, 200, pages.account(s, null, codes, "Two-factor authentication is on."));
        }));
        routes.post("/-/console/account/keys", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            pages.requirePassword(actor, ctx.formParam("password"));
            if (twoFactor.enabled(s.user()) && !console.recent(s, Duration.ofMinutes(10))) {
                // a key is a new way in: with a factor already set up, only a session opened or stepped up lately may add one
                throw AirlockException.forbidden("To add a security key, sign in again first (the last sign-in or confirmation was"
                        + " more than ten minutes ago).");
            }
            var codes = twoFactor.finishKeyRegistration(actor, ctx.formParam("ceremony"), ctx.formParam("credential"), ctx.formParam("name"));
            ConsoleSession rotated = rotate(ctx, actor);
            html(ctx, 200, pages.account(rotated, null, codes.isEmpty() ? null : codes, "Security key added."));
        }));
        routes.post("/-/console/account/keys/remove", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            String id = ctx.formParam("id");
            Actor actor = actor(ctx, s, null);
            twoFactor.removeKey(actor.withOtp(stepUp.otp(ctx, actor, "remove-key:" + id)), id);
            ctx.redirect("/-/console/account");
        }));
        routes.get("/-/console/tokens", ctx -> guarded(ctx, s -> html(ctx, 200, pages.tokens(s, ctx.queryParam("done")))));
        routes.post("/-/console/tokens/{key}/revoke", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            pages.revokeToken(actor.withOtp(stepUp.otp(ctx, actor, "revoke-token:" + ctx.pathParam("key"))), ctx.pathParam("key"));
            ctx.redirect("/-/console/tokens?done=revoked");
        }));
        routes.get("/-/console/orgs/{org}", ctx -> guarded(ctx, s -> html(ctx, 200,
                pages.org(actor(ctx, s, null), s, ctx.pathParam("org"), ctx.queryParam("done")))));
        routes.post("/-/console/orgs/{org}/policy", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            pages.setOrgPolicy(actor.withOtp(stepUp.otp(ctx, actor, "org-policy:" + ctx.pathParam("org"))), ctx.pathParam("org"),
                    ctx.formParam("approvals"), ctx.formParam("stagingRequired"), ctx.formParam("require2fa"), ctx.formParam("mfa"),
                    ctx.formParam("securityKeyApproval"));
            ctx.redirect("/-/console/orgs/" + ctx.pathParam("org") + "?done=saved");
        }));
        // package policy pages
        PolicyPages policyPages = new PolicyPages(packages, stepUp);
        routes.get(PolicyPages.PREFIX + "/<path>", ctx -> guarded(ctx, s -> html(ctx, 200, policyPages.page(actor(ctx, s, null), s,
                NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX).name(), ctx.queryParam("done")))));
        routes.post(PolicyPages.PREFIX + "/<path>", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            var name = NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX).name();
            Actor actor = actor(ctx, s, null);
            policyPages.save(actor.withOtp(stepUp.otp(ctx, actor, "package-policy:" + name)), name, ctx.formParam("mfa"), ctx.formParam("stagingRequired"),
                    ctx.formParam("approvals"), ctx.formParam("securityKeyApproval"));
            ctx.redirect(PolicyPages.url(name) + "?done=saved");
        }));
    }

    interface Page {
        void render(ConsoleSession s);
    }

    private void guarded(Context ctx, Page page) {
        ConsoleSession s = session(ctx);
        if (s == null) {
            String q = ctx.queryString();
            ctx.redirect(ctx.method().equals(io.javalin.http.HandlerType.GET) ? "/-/console/login?next=" + java.net.URLEncoder.encode(
                    next(ctx.path() + (q == null ? "" : "?" + q)), java.nio.charset.StandardCharsets.UTF_8) : "/-/console/login");
            return;
        }
        try {
            page.render(s);
        } catch (AirlockException e) {
            html(ctx, e.code().status(), Html.page("Error", s.user(), s.csrf(), "<p class=\"error\">" + Html.esc(e.getMessage())
                    + "</p><p><a href=\"/-/console/\">Back</a></p>"));
        }
    }

    private ConsoleSession session(Context ctx) {
        return console.resolve(ctx.cookie(cookieName));
    }

    private Actor actor(Context ctx, ConsoleSession s, String otp) {
        return new Actor(s.user(), "session", null, Requests.source(ctx), otp == null || otp.isBlank() ? null : otp.trim());
    }

    private static void requireCsrf(Context ctx, ConsoleSession s) {
        if (!Hashes.same(ctx.formParam("csrf"), s.csrf())) {
            throw AirlockException.forbidden("The form is stale or came from another site (CSRF check failed). Reload the page.");
        }
    }

    /** A step-up happened: the session id (and its CSRF token) change. */
    private ConsoleSession rotate(Context ctx, Actor actor) {
        ConsoleService.Opened o = console.rotate(actor, ctx.cookie(cookieName));
        setCookie(ctx, o.cookie());
        return o.session();
    }

    private void setCookie(Context ctx, String value) {
        Cookie c = new Cookie(cookieName, value);
        c.setPath("/");
        c.setHttpOnly(true);
        c.setSecure(https);
        c.setSameSite(SameSite.STRICT);
        c.setMaxAge((int) Duration.ofHours(8).toSeconds());
        ctx.cookie(c);
    }

    private void html(Context ctx, int status, String page) {
        ctx.status(status);
        ctx.contentType("text/html; charset=utf-8");
        ctx.result(page);
    }

    private String loginPage(String error, String next) {
        return Html.page("Sign in", null, null, "<h1>Sign in</h1>" + (error == null ? "" : "<p class=\"error\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/-/console/login\"><input type=\"hidden\" name=\"next\" value=\"" + Html.esc(next) + "\">"
                + "<label>User <input name=\"username\" id=\"username\" autocomplete=\"username\"></label>"
                + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\"></label>"
                + "<label>One-time password (if you use an authenticator app; leave empty to use a security key)"
                + " <input name=\"otp\" id=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\"></label>"
                + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>"
                + "<p><a id=\"passkey-sign-in\" href=\"/-/console/login/passkey?next=" + Html.esc(java.net.URLEncoder.encode(next,
                        java.nio.charset.StandardCharsets.UTF_8)) + "\">Sign in with a passkey</a> (no password: the key checks its PIN"
                + " or your fingerprint)</p>");
    }

    /** Where to go after signing in: only a console page of this server (no open redirect). */
    static String next(String next) {
        return next != null && next.startsWith("/-/console/") && !next.contains("//") && !next.contains("\\") && next.length() < 300
                && next.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? next : "/-/console/";
    }

    private static String resource(String name) {
        try (var in = ConsoleRoutes.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + name, e);
        }
    }

    private void startWebLogin(Context ctx) {
        JsonNode body = Requests.json(ctx);
        if (body.path("create").asBoolean(false)) {
            // account creation happens in the couch flow, which refuses it unless auth.allowSignup is on (npm falls back on 404)
            throw AirlockException.notFound("Creating accounts through the browser is not available; use npm adduser.");
        }
        String id = webLogin.start();
        dev.airlock.platform.http.Responses.json(ctx, Map.of("loginUrl", base + "/-/console/web-login/" + id,
                "doneUrl", base + "/-/v1/done?sessionId=" + id));
    }

    private void pollWebLogin(Context ctx) {
        String token = webLogin.poll(ctx.queryParam("sessionId"));
        if (token == null) {
            // every poll answer must be JSON, and Retry-After keeps the CLI from polling in a tight loop
            ctx.header("Retry-After", "1");
            dev.airlock.platform.http.Responses.json(ctx, 202, Map.of());
        } else {
            dev.airlock.platform.http.Responses.json(ctx, Map.of("token", token));
        }
    }

    static final String WEB_LOGIN_DONE = "<h1>Logged in</h1><p id=\"web-login-done\">You are logged in. Return to your terminal: npm has"
            + " its token.</p>";

    private String webLoginPage(ConsoleSession s, String id, String error) {
        StringBuilder b = new StringBuilder("<h1>Log in to npm</h1><p>The npm command line is waiting for you to sign in.</p>");
        if (error != null) {
            return Html.page("Log in to npm", null, null, b.append("<p class=\"error\">").append(Html.esc(error)).append("</p>").toString());
        }
        if (s != null) {
            // signed in already: confirm with a fresh factor, no password
            b.append("<form method=\"post\" action=\"/-/console/web-login/").append(Html.esc(id)).append("/continue\" id=\"continue-form\">")
                    .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf())).append("\"><p>Log npm in as <strong>")
                    .append(Html.esc(s.user())).append("</strong>.</p>");
            if (stepUp.showOtp(s.user())) {
                b.append("<label>One-time password <input name=\"otp\" id=\"continue-otp\" inputmode=\"numeric\"></label>")
                        .append("<button type=\"submit\" id=\"continue\">Continue</button> ");
            }
            b.append(stepUp.keyButton(s, "web-login:" + id, "continue-key", "Continue with security key")).append("</form>");
            return Html.page("Log in to npm", s.user(), s.csrf(), b.toString());
        }
        b.append("<form method=\"post\" action=\"/-/console/web-login/").append(Html.esc(id)).append("\">")
                .append("<label>User <input name=\"username\" id=\"username\" autocomplete=\"username\"></label>")
                .append("<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\"></label>")
                .append("<label>One-time password (if you use 2FA) <input name=\"otp\" id=\"otp\" inputmode=\"numeric\"></label>")
                .append("<button type=\"submit\" id=\"log-in\">Log in</button></form><p>Do you use a security key? <a id=\"key-sign-in\" href=\"")
                .append(Html.esc("/-/console/login?next=/-/console/web-login/" + id)).append("\">Sign in to the console</a> first.</p>");
        return Html.page("Log in to npm", null, null, b.toString());
    }

    private void completeWebLogin(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            webLogin.complete(id, ctx.formParam("username"), ctx.formParam("password"), ctx.formParam("otp"), Requests.source(ctx));
            html(ctx, 200, Html.page("Logged in", null, null, WEB_LOGIN_DONE));
        } catch (dev.airlock.shared.KeyChallenge e) {
            ctx.redirect("/-/console/login?next=/-/console/web-login/" + id);
        } catch (AirlockException e) {
            html(ctx, e.code() == dev.airlock.shared.ErrorCode.NOT_FOUND ? 404 : 401, webLoginPage(null, id,
                    e.code() == dev.airlock.shared.ErrorCode.OTP_REQUIRED
                            ? "This account uses two-factor authentication: enter the current one-time password." : e.getMessage()));
        }
    }

    /**
     * Whether a browser sent this request from another site. Fetch Metadata decides when the browser sends it
     * (every current one does); otherwise an Origin header naming neither the console's origin nor this host. The
     * console's pages send no referrer, so their own forms arrive with {@code Origin: null}: that names nobody.
     * Clients that are not browsers send neither header and are not CSRF vectors.
     */
    boolean crossSite(String origin, String fetchSite, String host) {
        if ("cross-site".equalsIgnoreCase(fetchSite)) {
            return true;
        }
        if ("same-origin".equalsIgnoreCase(fetchSite) || "none".equalsIgnoreCase(fetchSite)) {
            return false;
        }
        if (origin == null || origin.equals("null")) {
            return false;
        }
        String own = consoleUrl.replaceFirst("^(https?://[^/]+).*$", "$1");
        return !(origin.equalsIgnoreCase(own) || (host != null && (origin.equalsIgnoreCase("http://" + host)
                || origin.equalsIgnoreCase("https://" + host))));
    }

    private void signIn(Context ctx) {
        String next = next(ctx.formParam("next"));
        try {
            ConsoleService.SignIn in = console.signIn(ctx.formParam("username"), ctx.formParam("password"), ctx.formParam("otp"),
                    Requests.source(ctx));
            if (in.keyStep() != null) {
                html(ctx, 200, Html.page("Sign in", null, null, "<h1>Confirm with your security key</h1>"
                        + "<form method=\"post\" action=\"/-/console/login/key\" id=\"key-form\"><input type=\"hidden\" name=\"next\" value=\""
                        + Html.esc(next) + "\">" + StepUp.keyFields(in.keyStep(), "sign-in-key", "Use security key", "get") + "</form>"));
                return;
            }
            console.signOut(ctx.cookie(cookieName));
            setCookie(ctx, in.opened().cookie());
            ctx.redirect(next);
        } catch (AirlockException e) {
            html(ctx, e.code() == dev.airlock.shared.ErrorCode.TOO_MANY_REQUESTS ? 429 : 401, loginPage(e.code() == dev.airlock.shared.ErrorCode.OTP_REQUIRED
                    ? "This account uses two-factor authentication: enter the current one-time password." : e.getMessage(), next));
        }
    }

    /** Verifies a key's answer to a sign-in ceremony (after the password, or a passkey alone) and opens a session. */
    private interface KeySignIn {
        ConsoleService.Opened open(String ceremony, String credential, String source);
    }

    private void signInWithKey(Context ctx, KeySignIn signIn) {
        String next = next(ctx.formParam("next"));
        try {
            ConsoleService.Opened opened = signIn.open(ctx.formParam("ceremony"), ctx.formParam("credential"), Requests.source(ctx));
            console.signOut(ctx.cookie(cookieName));
            setCookie(ctx, opened.cookie());
            ctx.redirect(next);
        } catch (AirlockException e) {
            html(ctx, 401, loginPage(e.getMessage(), next));
        }
    }

    private void confirmPage(Context ctx, ConsoleSession s) {
        String id = ctx.pathParam("id");
        var pending = twoFactor.pendingConfirmation(s.user(), id);
        if (pending.isEmpty()) {
            html(ctx, 404, Html.page("Confirm", s.user(), s.csrf(), "<h1>Confirm</h1><p class=\"error\" id=\"gone\">This confirmation has"
                    + " expired, was for another account, or does not exist. Run the command again.</p>"));
            return;
        }
        var p = pending.get();
        StringBuilder b = new StringBuilder("<h1>Confirm with your security key</h1><p>The npm command line asks for your second factor"
                + " to <strong id=\"operation\">").append(Html.esc(p.operation())).append("</strong>.</p><p>Asked from <code>")
                .append(Html.esc(p.source())).append("</code> at ").append(Html.esc(Instant.ofEpochMilli(p.createdAt())))
                .append(". If this was not you, do not confirm: close this page and revoke your tokens.</p>");
        if (p.confirmed()) {
            b.append("<p class=\"ok\" id=\"confirmed\">Already confirmed. Return to your terminal.</p>");
        } else {
            b.append("<form method=\"post\" action=\"/-/console/confirm/").append(Html.esc(id)).append("\" id=\"confirm-form\">")
                    .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf())).append("\">")
                    .append(stepUp.keyButton(s, "confirm:" + id, "confirm-key", "Confirm with security key")).append("</form>");
        }
        html(ctx, 200, Html.page("Confirm", s.user(), s.csrf(), b.toString()));
    }

    private void home(Context ctx, ConsoleSession s) {
        StagingService.Listing listing = staging.list(actor(ctx, s, null), null, 0, 100);
        StringBuilder b = new StringBuilder("<h1>Staged releases waiting for you</h1>");
        if (listing.items().isEmpty()) {
            b.append("<p id=\"empty\">Nothing is waiting for your approval.</p>");
        } else {
            b.append("<table id=\"staged\"><tr><th>Package</th><th>Version</th><th>Tag</th><th>Staged by</th><th>Age</th><th>Expires</th><th>Approvals</th></tr>");
            long now = System.currentTimeMillis();
            for (StagingService.StageView v : listing.items()) {
                Stage st = v.stage();
                b.append("<tr><td><a href=\"/-/console/stage/").append(Html.esc(st.id())).append("\">").append(Html.esc(st.pkg()))
                        .append("</a></td><td>").append(Html.esc(st.version())).append("</td><td>").append(Html.esc(st.tag()))
                        .append("</td><td>").append(Html.esc(st.actor())).append(" (").append(Html.esc(st.actorType())).append(")</td><td>")
                        .append(Duration.ofMillis(Math.max(0, now - st.createdAt())).toHours()).append(" h</td><td>")
                        .append(Html.esc(Instant.ofEpochMilli(st.expiresAt()))).append("</td><td>").append(v.approvals().size()).append(" of ")
                        .append(st.approvalsRequired()).append("</td></tr>");
            }
            b.append("</table>");
        }
        html(ctx, 200, Html.page("Staged releases", s.user(), s.csrf(), b.toString()));
    }

    private void stagePage(Context ctx, ConsoleSession s, String id, String done) {
        Actor actor = actor(ctx, s, null);
        StagingService.StageView view = staging.view(actor, id);
        Stage st = view.stage();
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(st.pkg())).append("@").append(Html.esc(st.version()))
                .append(" <small>tag ").append(Html.esc(st.tag())).append("</small></h1>");
        if (done != null) {
            b.append("<p class=\"ok\" id=\"done\">").append("approved".equals(done) ? "Approval recorded." : "Rejected.").append("</p>");
        }
        b.append("<p id=\"progress\">State: ").append(Html.esc(st.state())).append(" · approvals ").append(view.approvals().size())
                .append(" of ").append(st.approvalsRequired()).append("</p>");
        ReleaseReview review = Stage.PENDING.equals(st.state()) ? staging.review(actor, id) : null;
        if (review != null) {
            b.append("<section id=\"summary\" class=\"").append(review.risky() ? "risky" : "quiet").append("\"><h2>")
                    .append(review.risky() ? "Risky changes" : "Summary").append("</h2><ul>");
            if (review.signals().isEmpty()) {
                b.append("<li>No install scripts, dependency sources, binaries or size jumps changed.</li>");
            }
            for (ReleaseReview.Signal sig : review.signals()) {
                b.append("<li class=\"").append(Html.esc(sig.level())).append("\" data-kind=\"").append(Html.esc(sig.kind())).append("\">")
                        .append(Html.esc(sig.message())).append("</li>");
            }
            b.append("</ul><p>Compared with ").append(review.previous() == null ? "nothing (first version)" : Html.esc(review.previous()))
                    .append(" · unpacked ").append(review.sizeBefore()).append(" → ").append(review.sizeAfter()).append(" bytes</p></section>");
        }
        b.append("<h2>Who staged it</h2><dl id=\"staged-by\"><dt>By</dt><dd>").append(Html.esc(st.actor())).append(" (")
                .append(Html.esc(st.actorType())).append(")</dd>");
        String via = pages.stagedWithToken(st.actor(), st.tokenKey());
        if (via != null) {
            b.append("<dt>With</dt><dd id=\"staged-token\">").append(via).append("</dd>");
        }
        b.append("<dt>From</dt><dd>").append(Html.esc(st.source()))
                .append("</dd><dt>At</dt><dd>").append(Html.esc(Instant.ofEpochMilli(st.createdAt()))).append("</dd><dt>Integrity</dt><dd><code>")
                .append(Html.esc(st.integrity())).append("</code></dd>");
        if (st.ciJson() != null) {
            Json.parse(st.ciJson()).properties().forEach(e -> b.append("<dt>CI ").append(Html.esc(e.getKey())).append("</dt><dd>")
                    .append(Html.esc(e.getValue().asText())).append("</dd>"));
        }
        b.append("</dl>");
        if (review != null) {
            b.append("<h2>Files</h2><table id=\"files\"><tr><th>File</th><th>Change</th><th>Before</th><th>After</th></tr>");
            for (ReleaseReview.FileChange f : review.files()) {
                b.append("<tr class=\"").append(Html.esc(f.change())).append("\"><td>").append(Html.esc(f.path())).append("</td><td>")
                        .append(Html.esc(f.change())).append("</td><td>").append(f.sizeBefore()).append("</td><td>").append(f.sizeAfter())
                        .append("</td></tr>");
            }
            b.append("</table>");
            for (Map.Entry<String, String> d : review.diffs().entrySet()) {
                b.append("<h3>").append(Html.esc(d.getKey())).append("</h3><pre class=\"diff\">").append(Html.esc(d.getValue())).append("</pre>");
            }
            b.append("<h2>Decide</h2>");
            boolean otp = stepUp.showOtp(s.user());
            for (String verb : new String[] {"approve", "reject"}) {
                String label = "approve".equals(verb) ? "Approve" : "Reject";
                b.append("<form method=\"post\" action=\"/-/console/stage/").append(Html.esc(st.id())).append("/").append(verb)
                        .append("\" id=\"").append(verb).append("-form\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf()))
                        .append("\"><input type=\"hidden\" name=\"integrity\" value=\"").append(Html.esc(st.integrity())).append("\">");
                if (otp) {
                    b.append("<label>One-time password <input name=\"otp\" id=\"").append(verb).append("-otp\" inputmode=\"numeric\"></label>")
                            .append("<button type=\"submit\" id=\"").append(verb).append("\">").append(label).append("</button> ");
                }
                // the key's assertion is bound to this version and these bytes
                b.append(stepUp.keyButton(s, verb + ":" + st.id() + ":" + st.integrity(), verb + "-key", label + " with security key"))
                        .append("</form>");
            }
        }
        html(ctx, 200, Html.page(st.pkg() + "@" + st.version(), s.user(), s.csrf(), b.toString()));
    }

    /** Approve or reject: CSRF, the digest that was reviewed, a fresh factor; then the session id rotates. */
    private void decide(Context ctx, ConsoleSession s, boolean approve) {
        requireCsrf(ctx, s);
        String id = ctx.pathParam("id");
        Actor actor = actor(ctx, s, null);
        Stage st = staging.view(actor, id).stage();
        if (!Hashes.same(ctx.formParam("integrity"), st.integrity())) {
            throw AirlockException.conflict("The staged bytes are not the ones you reviewed; reload the page and review again.");
        }
        actor = actor.withOtp(stepUp.otp(ctx, actor, (approve ? "approve:" : "reject:") + id + ":" + st.integrity()));
        if (approve) {
            staging.approve(actor, id);
        } else {
            staging.reject(actor, id);
        }
        rotate(ctx, actor);
        ctx.redirect("/-/console/stage/" + id + "?done=" + (approve ? "approved" : "rejected"));
    }

    private void packagePage(Context ctx, ConsoleSession s) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI().substring("/-/console/package".length()));
        JsonNode doc = packages.packument(actor(ctx, s, null), p.name(), false);
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(p.name())).append("</h1><p><a id=\"policy-link\" href=\"")
                .append(Html.esc(PolicyPages.url(p.name()))).append("\">Policy</a></p><p class=\"description\">")
                .append(Html.esc(doc.path("description").asText())).append("</p><table id=\"versions\"><tr><th>Version</th><th>How it was authorised</th></tr>");
        doc.path("versions").properties().forEach(e -> {
            JsonNode a = e.getValue().path("airlock");
            String how;
            if ("staged".equals(a.path("method").asText())) {
                StringBuilder approvers = new StringBuilder();
                a.path("approvedBy").forEach(x -> approvers.append(approvers.length() == 0 ? "" : ", ").append(x.path("name").asText())
                        .append(" (").append(x.path("factor").asText()).append(")"));
                how = "staged by " + a.path("stagedBy").asText() + " (" + a.path("stagedVia").asText() + "), approved by " + approvers;
            } else if (a.has("method")) {
                how = "published directly by " + a.path("publishedBy").asText() + " (" + a.path("via").asText() + ")"
                        + (a.path("secondFactor").isTextual() ? " with " + a.path("secondFactor").asText() : " without a second factor");
            } else {
                how = "not recorded";
            }
            b.append("<tr><td>").append(Html.esc(e.getKey())).append("</td><td>").append(Html.esc(how)).append("</td></tr>");
        });
        b.append("</table>");
        html(ctx, 200, Html.page(p.name().toString(), s.user(), s.csrf(), b.toString()));
    }

    static final String CSS = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b}header{display:flex;gap:1em;"
            + "align-items:center;padding:.6em 1.2em;background:#14213d;color:#fff}header a{color:#fff}nav{display:flex;gap:1em;"
            + "align-items:center;margin-left:auto}main{padding:1em 1.5em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            + "padding:.25em .5em;text-align:left}.risky{border:3px solid #c1121f;background:#fff0f0;padding:.5em 1em}.quiet{border:1px solid #999;"
            + "padding:.5em 1em}li.high{color:#c1121f;font-weight:600}li.medium{color:#9a5b00}.error{color:#c1121f}.ok{color:#2b7a0b}"
            + "pre.diff{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em}form{margin:.6em 0}form.inline{display:inline;margin:0}"
            + "label{display:block;margin:.3em 0}tr.added td{background:#eefbea}tr.removed td{background:#fdecea}";
}
