package dev.airlock.console.http;

import dev.airlock.audit.AuditQueryService;
import dev.airlock.console.ConsoleService;
import dev.airlock.console.WebLoginService;
import dev.airlock.console.view.Notice;
import dev.airlock.mailcheck.MailCheckService;
import dev.airlock.notifications.NotificationService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.http.RouteModule;
import dev.airlock.policy.PolicyService;
import dev.airlock.staging.StagingService;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;

/**
 * The web console: sign-in, what waits for the user, a review page per staged version (signals first), approval
 * and rejection with a fresh factor bound to the reviewed digest, package and policy pages, the account's factors
 * and tokens, orgs, and the pages npm's web login and web OTP open. Server-rendered from templates that escape by
 * default (src/main/jte, docs/adr/0007); one small script for security keys; strict CSP; CSRF token on every form;
 * session id rotated at sign-in and at every step-up. The cookie is {@code __Host-}prefixed and Secure when the
 * public URL is https; on plain http (localhost) browsers refuse both, so it is then named {@code airlock-session}
 * without Secure.
 *
 * <p>This class holds what applies to every console request (security headers, the redirect to the console's own
 * host, the cross-site refusal, the static files); each page group has its own routes class.
 */
public final class ConsoleRoutes implements RouteModule {
    static final String CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self';"
                    + " frame-ancestors 'none'; base-uri 'none'";
    private final ConsoleWeb web;
    private final String consoleUrl;
    private final StagingService staging;
    private final PackageService packages;
    private final ConsolePages pages;
    private final WebLoginService webLogin;
    private final TwoFactorService twoFactor;
    private final String base;
    private final PolicyService policies;
    private final NotificationService notifications;
    private final AuditQueryService auditQuery;
    private final MailCheckService mailCheck;

    public ConsoleRoutes(
            ConsoleService console,
            StagingService staging,
            PackageService packages,
            ConsolePages pages,
            WebLoginService webLogin,
            TwoFactorService twoFactor,
            String publicUrl,
            String consoleUrl,
            PolicyService policies,
            NotificationService notifications,
            AuditQueryService auditQuery,
            MailCheckService mailCheck) {
        this.mailCheck = mailCheck;
        this.policies = policies;
        this.notifications = notifications;
        this.auditQuery = auditQuery;
        this.web = new ConsoleWeb(console, consoleUrl, pages::admin);
        this.consoleUrl = consoleUrl;
        this.staging = staging;
        this.packages = packages;
        this.pages = pages;
        this.webLogin = webLogin;
        this.twoFactor = twoFactor;
        this.base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** Adds single sign-on: the "Sign in with …" buttons and the routes under /-/console/sso/. */
    public ConsoleRoutes withSso(dev.airlock.sso.SsoService sso) {
        web.sso = sso;
        return this;
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
            if (HandlerType.GET.equals(ctx.method())
                    && ctx.host() != null
                    && !consoleUrl.startsWith(here + "/")
                    && !consoleUrl.equals(here)
                    && consoleUrl.startsWith(ctx.scheme() + "://localhost")) {
                String q = ctx.queryString();
                ctx.redirect(consoleUrl + ctx.path() + (q == null ? "" : "?" + q));
                ctx.skipRemainingHandlers();
            }
        });
        routes.before("/-/console/*", ctx -> {
            // Forms sent from another site are refused before anything else: the CSRF token guards the forms of a
            // session, this also guards the sign-in forms (login CSRF: signing a victim in to the attacker's account).
            if (!HandlerType.GET.equals(ctx.method())
                    && !HandlerType.HEAD.equals(ctx.method())
                    && crossSite(ctx.header("Origin"), ctx.header("Sec-Fetch-Site"), ctx.host())) {
                web.notice(
                        ctx,
                        403,
                        null,
                        new Notice(
                                "Refused",
                                "This form was sent from another site, so it was not accepted."
                                        + " Open the console at " + consoleUrl + " and try again.",
                                "error",
                                "cross-site",
                                null,
                                null));
                ctx.skipRemainingHandlers();
            }
        });
        web.assets.register(routes);
        SignInRoutes signIn = new SignInRoutes(web, twoFactor);
        signIn.register(routes);
        if (web.sso != null) {
            new SsoRoutes(web, web.sso, signIn).register(routes);
        }
        StepUp stepUp = new StepUp(twoFactor, web.sso, web.consoleUrl.startsWith("https:"));
        new StageRoutes(web, staging, pages, stepUp).register(routes);
        new PackageRoutes(web, packages, policies, stepUp).register(routes);
        new AccountRoutes(web, pages, twoFactor, stepUp, notifications).register(routes);
        new DeliveryRoutes(web, notifications).register(routes);
        new TokenRoutes(web, pages, stepUp).register(routes);
        new OrgRoutes(web, pages, stepUp).register(routes);
        new NpmWebRoutes(web, webLogin, twoFactor, staging, stepUp, base).register(routes);
        new AuditLogRoutes(web, auditQuery).register(routes);
        new MailCheckRoutes(web, mailCheck).register(routes);
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
        return !(origin.equalsIgnoreCase(own)
                || (host != null
                        && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host))));
    }
}
