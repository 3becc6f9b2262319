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
    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none';"
            + " base-uri 'none'";
    private final ConsoleService console;
    private final StagingService staging;
    private final PackageService packages;
    private final boolean https;
    private final String cookieName;
    private final ConsolePages pages;
    private final WebLoginService webLogin;
    private final String base;

    public ConsoleRoutes(ConsoleService console, StagingService staging, PackageService packages, ConsolePages pages,
                         WebLoginService webLogin, String publicUrl) {
        this.webLogin = webLogin;
        this.base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.console = console;
        this.staging = staging;
        this.packages = packages;
        this.pages = pages;
        this.https = publicUrl.startsWith("https:");
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
        routes.get("/-/console/app.css", ctx -> {
            ctx.contentType("text/css");
            ctx.result(CSS);
        });
        routes.get("/-/console/login", ctx -> html(ctx, 200, loginPage(null)));
        routes.post("/-/console/login", this::signIn);
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
                webLoginPage(ctx.pathParam("id"), webLogin.exists(ctx.pathParam("id")) ? null
                        : "This login link has expired or was already used. Run `npm login` again.")));
        routes.post("/-/console/web-login/{id}", this::completeWebLogin);
        routes.get("/-/console/account", ctx -> guarded(ctx, s -> html(ctx, 200, pages.account(s, null, null, null))));
        routes.post("/-/console/account/totp", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            Actor actor = actor(ctx, s, null);
            pages.requirePassword(actor, ctx.formParam("password"));
            var url = pages.enrolTotp(actor, ctx.formParam("mode") == null ? "auth-and-writes" : ctx.formParam("mode"));
            html(ctx, 200, pages.account(s, url.orElse(null), null, url.isEmpty() ? "Two-factor mode changed." : null));
        }));
        routes.post("/-/console/account/totp/confirm", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            var codes = pages.confirmTotp(actor(ctx, s, null), ctx.formParam("otp"));
            html(ctx, 200, pages.account(s, null, codes, "Two-factor authentication is on."));
        }));
        routes.get("/-/console/tokens", ctx -> guarded(ctx, s -> html(ctx, 200, pages.tokens(s, ctx.queryParam("done")))));
        routes.post("/-/console/tokens/{key}/revoke", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            pages.revokeToken(actor(ctx, s, ctx.formParam("otp")), ctx.pathParam("key"));
            ctx.redirect("/-/console/tokens?done=revoked");
        }));
        routes.get("/-/console/orgs/{org}", ctx -> guarded(ctx, s -> html(ctx, 200,
                pages.org(actor(ctx, s, null), s, ctx.pathParam("org"), ctx.queryParam("done")))));
        routes.post("/-/console/orgs/{org}/policy", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            pages.setOrgPolicy(actor(ctx, s, ctx.formParam("otp")), ctx.pathParam("org"), ctx.formParam("approvals"),
                    ctx.formParam("stagingRequired"), ctx.formParam("require2fa"), ctx.formParam("mfa"),
                    ctx.formParam("securityKeyApproval"));
            ctx.redirect("/-/console/orgs/" + ctx.pathParam("org") + "?done=saved");
        }));
        // package policy pages
        PolicyPages policyPages = new PolicyPages(packages);
        routes.get(PolicyPages.PREFIX + "/<path>", ctx -> guarded(ctx, s -> html(ctx, 200, policyPages.page(actor(ctx, s, null), s,
                NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX).name(), ctx.queryParam("done")))));
        routes.post(PolicyPages.PREFIX + "/<path>", ctx -> guarded(ctx, s -> {
            requireCsrf(ctx, s);
            var name = NpmPath.packageAfter(ctx.req().getRequestURI(), PolicyPages.PREFIX).name();
            policyPages.save(actor(ctx, s, ctx.formParam("otp")), name, ctx.formParam("mfa"), ctx.formParam("stagingRequired"),
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
            ctx.redirect("/-/console/login");
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

    private String loginPage(String error) {
        return Html.page("Sign in", null, null, "<h1>Sign in</h1>" + (error == null ? "" : "<p class=\"error\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/-/console/login\"><label>User <input name=\"username\" id=\"username\" autocomplete=\"username\"></label>"
                + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\"></label>"
                + "<label>One-time password (if you use 2FA) <input name=\"otp\" id=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\"></label>"
                + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
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

    private String webLoginPage(String id, String error) {
        return Html.page("Log in to npm", null, null, "<h1>Log in to npm</h1><p>The npm command line is waiting for you to sign in.</p>"
                + (error == null ? "" : "<p class=\"error\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/-/console/web-login/" + Html.esc(id) + "\">"
                + "<label>User <input name=\"username\" id=\"username\" autocomplete=\"username\"></label>"
                + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\"></label>"
                + "<label>One-time password (if you use 2FA) <input name=\"otp\" id=\"otp\" inputmode=\"numeric\"></label>"
                + "<button type=\"submit\" id=\"log-in\">Log in</button></form>");
    }

    private void completeWebLogin(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            webLogin.complete(id, ctx.formParam("username"), ctx.formParam("password"), ctx.formParam("otp"), Requests.source(ctx));
            html(ctx, 200, Html.page("Logged in", null, null, "<h1>Logged in</h1><p id=\"web-login-done\">You are logged in."
                    + " Return to your terminal: npm has its token.</p>"));
        } catch (AirlockException e) {
            html(ctx, e.code() == dev.airlock.shared.ErrorCode.NOT_FOUND ? 404 : 401, webLoginPage(id,
                    e.code() == dev.airlock.shared.ErrorCode.OTP_REQUIRED
                            ? "This account uses two-factor authentication: enter the current one-time password." : e.getMessage()));
        }
    }

    private void signIn(Context ctx) {
        try {
            ConsoleService.Opened opened = console.signIn(ctx.formParam("username"), ctx.formParam("password"), ctx.formParam("otp"),
                    Requests.source(ctx));
            console.signOut(ctx.cookie(cookieName));
            setCookie(ctx, opened.cookie());
            ctx.redirect("/-/console/");
        } catch (AirlockException e) {
            html(ctx, 401, loginPage(e.code() == dev.airlock.shared.ErrorCode.OTP_REQUIRED
                    ? "This account uses two-factor authentication: enter the current one-time password." : e.getMessage()));
        }
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
                .append(Html.esc(st.actorType())).append(")</dd><dt>From</dt><dd>").append(Html.esc(st.source()))
                .append("</dd><dt>At</dt><dd>").append(Html.esc(Instant.ofEpochMilli(st.createdAt()))).append("</dd><dt>Integrity</dt><dd><code>")
                .append(Html.esc(st.integrity())).append("</code></dd>");
        if (st.ciJson() != null) {
            Json.parse(st.ciJson()).fields().forEachRemaining(e -> b.append("<dt>CI ").append(Html.esc(e.getKey())).append("</dt><dd>")
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
            for (String verb : new String[] {"approve", "reject"}) {
                b.append("<form method=\"post\" action=\"/-/console/stage/").append(Html.esc(st.id())).append("/").append(verb)
                        .append("\" id=\"").append(verb).append("-form\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf()))
                        .append("\"><input type=\"hidden\" name=\"integrity\" value=\"").append(Html.esc(st.integrity()))
                        .append("\"><label>One-time password <input name=\"otp\" id=\"").append(verb).append("-otp\" inputmode=\"numeric\"></label>")
                        .append("<button type=\"submit\" id=\"").append(verb).append("\">").append("approve".equals(verb) ? "Approve" : "Reject")
                        .append("</button></form>");
            }
        }
        html(ctx, 200, Html.page(st.pkg() + "@" + st.version(), s.user(), s.csrf(), b.toString()));
    }

    /** Approve or reject: CSRF, the digest that was reviewed, a fresh factor; then the session id rotates. */
    private void decide(Context ctx, ConsoleSession s, boolean approve) {
        requireCsrf(ctx, s);
        String id = ctx.pathParam("id");
        Actor actor = actor(ctx, s, ctx.formParam("otp"));
        Stage st = staging.view(actor, id).stage();
        if (!Hashes.same(ctx.formParam("integrity"), st.integrity())) {
            throw AirlockException.conflict("The staged bytes are not the ones you reviewed; reload the page and review again.");
        }
        if (approve) {
            staging.approve(actor, id);
        } else {
            staging.reject(actor, id);
        }
        setCookie(ctx, console.rotate(actor, ctx.cookie(cookieName)).cookie());
        ctx.redirect("/-/console/stage/" + id + "?done=" + (approve ? "approved" : "rejected"));
    }

    private void packagePage(Context ctx, ConsoleSession s) {
        NpmPath p = NpmPath.parse(ctx.req().getRequestURI().substring("/-/console/package".length()));
        JsonNode doc = Json.parse(packages.packument(actor(ctx, s, null), p.name(), false).json());
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(p.name())).append("</h1><p><a id=\"policy-link\" href=\"")
                .append(Html.esc(PolicyPages.url(p.name()))).append("\">Policy</a></p><p class=\"description\">")
                .append(Html.esc(doc.path("description").asText())).append("</p><table id=\"versions\"><tr><th>Version</th><th>How it was authorised</th></tr>");
        doc.path("versions").fields().forEachRemaining(e -> {
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
