package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.KeyButton;
import dev.airlock.shared.Actor;
import dev.airlock.sso.SsoService;
import dev.airlock.twofactor.SecurityKeys;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;

/**
 * A fresh second factor inside a console form: a one-time-password field for users with an authenticator app, and
 * a "confirm with security key" button for users with keys. The key's assertion is bound to {@code purpose} (what
 * the form does, e.g. approving one staged version with one digest) and single-use; the server turns a verified
 * assertion into a code that the service layer checks like any other factor. For a user linked to an identity
 * provider that the registry trusts for presence (docs/sso.md), a "confirm with …" button re-authenticates there;
 * the passed confirmation waits in a cookie of this browser and is used, once, by the form of the same operation.
 */
final class StepUp {
    private final TwoFactorService twoFactor;
    private final SsoService sso;
    private final String presenceCookie;
    private final boolean https;

    /** Without an identity provider: a key or a one-time password only. */
    StepUp(TwoFactorService twoFactor) {
        this(twoFactor, null, false);
    }

    StepUp(TwoFactorService twoFactor, SsoService sso, boolean https) {
        this.twoFactor = twoFactor;
        this.sso = sso;
        this.presenceCookie = presenceCookieName(https);
        this.https = https;
    }

    /** The cookie that holds a passed re-authentication at the identity provider until the form uses it. */
    static String presenceCookieName(boolean https) {
        return https ? "__Host-airlock-presence" : "airlock-presence";
    }

    /** The identity providers that can confirm this user's presence (linked, presence values configured). */
    List<SsoService.Provider> idps(String user) {
        return sso == null ? List.of() : sso.presenceProviders(user);
    }

    /**
     * Sends the browser to re-authenticate at the form's {@code provider} for {@code purpose} (what the form then
     * does); the provider sends it back to {@code next}, where {@link #idpConfirmed} is then true. The form's answer is
     * a page that goes on to the provider by itself, not a redirect: the console's Content-Security-Policy
     * ({@code form-action 'self'}) stops a form submission that redirects to another origin.
     */
    void goToIdp(Context ctx, ConsoleWeb web, ConsoleSession s, String purpose, String next) {
        SsoService.Started started = sso().startPresence(s.user(), ctx.formParam("provider"), purpose, next);
        SsoRoutes.bindBrowser(ctx, started, https);
        web.render(
                ctx,
                200,
                "sso-done.jte",
                web.chrome("Confirm", s, null),
                new dev.airlock.console.view.Notice(
                        "Confirm at your identity provider",
                        "Taking you to your identity provider to sign in again; this page goes on by itself.",
                        "ok",
                        "sso-redirect",
                        started.authorizationUrl(),
                        "Continue"));
    }

    /**
     * The re-authentication at the identity provider this browser brought back, used (once) for {@code purpose}; the
     * cookie that held it is cleared. Throws when there is none, or it was for something else.
     */
    SsoService.Presence idpPresence(Context ctx, Actor actor, String purpose) {
        SsoService sso = sso();
        String secret = ctx.cookie(presenceCookie);
        ctx.removeCookie(presenceCookie, "/");
        return sso.usePresence(actor, secret, purpose);
    }

    private SsoService sso() {
        if (sso == null) {
            throw dev.airlock.shared.AirlockException.notFound("There is no identity provider here.");
        }
        return sso;
    }

    /** Has this browser a re-authentication at the identity provider waiting to be used? */
    boolean idpConfirmed(Context ctx) {
        return sso != null && ctx.cookie(presenceCookie) != null;
    }

    boolean hasKey(String user) {
        return twoFactor.keys().any(user);
    }

    /**
     * Should the form show the one-time-password field? When the user has an app, or has neither a key nor an identity
     * provider to confirm with (the field then says what is missing when used).
     */
    boolean showOtp(String user) {
        return showOtp(user, idps(user));
    }

    /** As {@link #showOtp(String)}, for a page that already has the user's {@link #idps}. */
    boolean showOtp(String user, List<SsoService.Provider> idps) {
        return twoFactor.totp().status(user).map(t -> t.enabled()).orElse(false) || (!hasKey(user) && idps.isEmpty());
    }

    /** The key button (and its hidden fields) for a form; null when the user has no key. */
    KeyButton key(ConsoleSession s, String purpose, String id, String label) {
        Optional<SecurityKeys.Ceremony> c = twoFactor.keys().startAssertion(s.user(), purpose);
        return c.map(ceremony -> ConsoleWeb.key(ceremony, id, label, "get")).orElse(null);
    }

    /** The factor the form carried: a verified key assertion (as a code) or the typed one-time password. */
    String otp(Context ctx, Actor actor, String purpose) {
        if (ctx.formParam("idp") != null && sso != null) {
            SsoService.Presence p = idpPresence(ctx, actor, purpose);
            return twoFactor.externalFactor(actor, p.factor(), p.phishingResistant());
        }
        String credential = ctx.formParam("credential");
        if (credential != null && !credential.isBlank()) {
            return twoFactor.keys().stepUp(actor, ctx.formParam("ceremony"), credential, purpose);
        }
        String otp = ctx.formParam("otp");
        return otp == null || otp.isBlank() ? null : otp.trim();
    }
}
