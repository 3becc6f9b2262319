package dev.airlock.console.http;

import dev.airlock.console.ConsoleService;
import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.Chrome;
import dev.airlock.console.view.KeyButton;
import dev.airlock.console.view.Notice;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.http.Requests;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.twofactor.SecurityKeys;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every console route shares: the session cookie (resolved, set, rotated at every step-up), the CSRF check,
 * the acting user, and rendering a template inside the frame. A refusal is shown as its sentence; anything
 * unexpected is logged and shown as a sentence too, never as exception text.
 */
final class ConsoleWeb {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleWeb.class);
    final ConsoleService console;
    final Views views = new Views();
    final Assets assets = new Assets();
    final String consoleUrl;
    private final boolean https;
    private final String cookieName;

    private final java.util.function.Predicate<String> admin;

    /** Single sign-on (null: none configured in this wiring, e.g. a test that builds the console alone). */
    dev.airlock.sso.SsoService sso;

    ConsoleWeb(ConsoleService console, String consoleUrl) {
        this(console, consoleUrl, user -> false);
    }

    ConsoleWeb(ConsoleService console, String consoleUrl, java.util.function.Predicate<String> admin) {
        this.admin = admin;
        this.console = console;
        this.consoleUrl = consoleUrl;
        this.https = consoleUrl.startsWith("https:");
        this.cookieName = https ? "__Host-airlock-session" : "airlock-session";
    }

    interface Page {
        void render(ConsoleSession s);
    }

    /** Runs {@code page} for a signed-in session; otherwise sends the browser to sign in and come back. */
    void guarded(Context ctx, Page page) {
        ConsoleSession s = session(ctx);
        if (s == null) {
            String q = ctx.queryString();
            ctx.redirect(
                    HandlerType.GET.equals(ctx.method())
                            ? "/-/console/login?next="
                                    + URLEncoder.encode(
                                            NextPage.of(ctx.path() + (q == null ? "" : "?" + q)),
                                            StandardCharsets.UTF_8)
                            : "/-/console/login");
            return;
        }
        try {
            page.render(s);
        } catch (AirlockException e) {
            render(ctx, e.code().status(), "message.jte", chrome("Error", s, null), Notice.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("console page {} failed", ctx.path(), e);
            render(
                    ctx,
                    500,
                    "message.jte",
                    chrome("Error", s, null),
                    Notice.error("Something went wrong on the server while"
                            + " handling this page; nothing was changed. Reload the page and try again; if it keeps happening, tell the"
                            + " registry's operator."));
        }
    }

    ConsoleSession session(Context ctx) {
        return console.resolve(ctx.cookie(cookieName));
    }

    String cookie(Context ctx) {
        return ctx.cookie(cookieName);
    }

    Actor actor(Context ctx, ConsoleSession s) {
        return new Actor(s.user(), "session", null, Requests.source(ctx), null).withUserAgent(Requests.userAgent(ctx));
    }

    static void requireCsrf(Context ctx, ConsoleSession s) {
        if (!Hashes.same(ctx.formParam("csrf"), s.csrf())) {
            throw AirlockException.forbidden(
                    "The form is stale or came from another site (CSRF check failed). Reload the page.");
        }
    }

    /** A step-up happened: the session id (and its CSRF token) change. */
    ConsoleSession rotate(Context ctx, Actor actor) {
        ConsoleService.Opened o = console.rotate(actor, ctx.cookie(cookieName));
        setCookie(ctx, o.cookie());
        return o.session();
    }

    void setCookie(Context ctx, String value) {
        Cookie c = new Cookie(cookieName, value);
        c.setPath("/");
        c.setHttpOnly(true);
        c.setSecure(https);
        c.setSameSite(SameSite.STRICT);
        c.setMaxAge((int) Duration.ofHours(8).toSeconds());
        ctx.cookie(c);
    }

    void removeCookie(Context ctx) {
        ctx.removeCookie(cookieName, "/");
    }

    Chrome chrome(String title, ConsoleSession s, String section) {
        return new Chrome(
                title,
                s == null ? null : s.user(),
                s == null ? null : s.csrf(),
                section,
                console.now(),
                assets.version,
                s != null && admin.test(s.user()));
    }

    /** The "Sign in with …" buttons, each returning to {@code next} after the provider. */
    java.util.List<dev.airlock.console.view.SignInPage.SsoButton> ssoButtons(String next) {
        if (sso == null) {
            return java.util.List.of();
        }
        return sso.providers().stream()
                .map(p -> new dev.airlock.console.view.SignInPage.SsoButton(
                        p.name(),
                        p.label(),
                        "/-/console/sso/" + p.name() + "/start?next="
                                + URLEncoder.encode(next, StandardCharsets.UTF_8)))
                .toList();
    }

    /** Whether the sign-in pages offer the password form. */
    boolean passwords() {
        return sso == null || sso.passwordSignIn();
    }

    /** Whether the signed-in user is a registry administrator. */
    boolean admin(ConsoleSession s) {
        return admin.test(s.user());
    }

    void render(Context ctx, int status, String template, Chrome chrome, Object page) {
        views.render(ctx, status, template, chrome, page);
    }

    void notice(Context ctx, int status, ConsoleSession s, Notice notice) {
        render(ctx, status, "message.jte", chrome(notice.heading(), s, null), notice);
    }

    static KeyButton key(SecurityKeys.Ceremony c, String id, String label, String mode) {
        return new KeyButton(c.id(), c.browserJson(), id, label, mode);
    }
}
