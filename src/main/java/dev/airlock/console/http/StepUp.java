package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.KeyButton;
import dev.airlock.shared.Actor;
import dev.airlock.twofactor.SecurityKeys;
import dev.airlock.twofactor.TwoFactorService;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * A fresh second factor inside a console form: a one-time-password field for users with an authenticator app, and
 * a "confirm with security key" button for users with keys. The key's assertion is bound to {@code purpose} (what
 * the form does, e.g. approving one staged version with one digest) and single-use; the server turns a verified
 * assertion into a code that the service layer checks like any other factor.
 */
final class StepUp {
    private final TwoFactorService twoFactor;

    StepUp(TwoFactorService twoFactor) {
        this.twoFactor = twoFactor;
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
        String credential = ctx.formParam("credential");
        if (credential != null && !credential.isBlank()) {
            return twoFactor.keys().stepUp(actor, ctx.formParam("ceremony"), credential, purpose);
        }
        String otp = ctx.formParam("otp");
        return otp == null || otp.isBlank() ? null : otp.trim();
    }
}
