package dev.airlock.console.view;

import dev.airlock.staging.Stage;
import java.util.List;

/** Models of the pages npm opens in the browser: `npm login` (web) and confirming a command with a key (web OTP). */
public final class NpmPages {
    private NpmPages() {}

    /** Where and when a request came from, shown so the person can tell their own request from someone else's. */
    public record Origin(long at, String address, String userAgent) {}

    /**
     * The web login page. {@code error} set: nothing else applies. {@code user} set: signed in already, continue
     * with a fresh factor ({@code showOtp}, {@code key}); otherwise the password form.
     */
    public record WebLogin(
            String id,
            String error,
            Origin origin,
            String user,
            boolean showOtp,
            KeyButton key,
            String keySignInHref,
            java.util.List<SignInPage.SsoButton> sso,
            boolean passwords) {
        public WebLogin {
            sso = sso == null ? java.util.List.of() : java.util.List.copyOf(sso);
        }
    }

    /** The staged release a confirmation approves or rejects: exactly these bytes, their review, a link to it. */
    public record Target(Stage stage, ReviewView review, String reviewHref) {}

    /**
     * The web-OTP page: what is asked, from where and when, and (for approving a staged release) what it is;
     * {@code key} null for a user without a security key; {@code idps} the identity providers that can confirm
     * instead; {@code idpConfirmed} whether this browser came back from one.
     */
    public record Confirm(
            String id,
            String operation,
            Origin origin,
            boolean confirmed,
            KeyButton key,
            Target target,
            List<StagePages.Idp> idps,
            boolean idpConfirmed) {}
}
