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

    /** Without an identity provider: a key or a one-time password only. */
    StepUp(TwoFactorService twoFactor) {
        this(twoFactor, null, false);
    }

    StepUp(TwoFactorService twoFactor, SsoService sso, boolean https) {
        this.twoFactor = twoFactor;
        this.sso = sso;
        this.presenceCookie = presenceCookieName(https);
    }

    /** The cookie that holds a passed re-authentication at the identity provider until the form uses it. */
    static String presenceCookieName(boolean https) {
        return https ? "__Host-airlock-presence" : "airlock-presence";
    }

    /** The identity providers that can confirm this user's presence (linked, presence values configured). */
    List<SsoService.Provider> idps(String user) {
        return sso == null ? List.of() : sso.presenceProviders(user);
    }

    /** Has this browser a re-authentication at the identity provider waiting to be used? */
    boolean idpConfirmed(Context ctx) {
        return sso != null && ctx.cookie(presenceCookie) != null;
    }

    boolean hasKey(String user) {
        return twoFactor.keys().any(user);
    }

    /** Should the form show the one-time-password field (the user has an app, or nothing but a key is not set)? */
    boolean showOtp(String user) {
        return twoFactor.totp().status(user).map(t -> t.enabled()).orElse(false) || !hasKey(user);
    }

    /** The key button (and its hidden fields) for a form; null when the user has no key. */
    KeyButton key(ConsoleSession s, String purpose, String id, String label) {
        Optional<SecurityKeys.Ceremony> c = twoFactor.keys().startAssertion(s.user(), purpose);
        return c.map(ceremony -> ConsoleWeb.key(ceremony, id, label, "get")).orElse(null);
    }

    /** The factor the form carried: a verified key assertion (as a code) or the typed one-time password. */
    String otp(Context ctx, Actor actor, String purpose) {
        if (ctx.formParam("idp") != null && sso != null) {
            String secret = ctx.cookie(presenceCookie);
            ctx.removeCookie(presenceCookie, "/");
            SsoService.Presence p = sso.usePresence(actor, secret, purpose);
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
