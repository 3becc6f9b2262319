package dev.airlock.console.view;

import dev.airlock.tokens.Token;
import dev.airlock.twofactor.PendingReset;
import dev.airlock.twofactor.SecurityKey;
import java.util.List;

/** Models of the account page (factors), the tokens page and an org's page. */
public final class AccountPages {
    private AccountPages() {}

    /** A QR code drawn as one SVG path of dark modules ({@code d}) on a {@code side}×{@code side} square. */
    public record Qr(int side, int pixels, String d) {}

    /** The authenticator-app step: the key as a QR code, as text and as a URL, then the first code confirms it. */
    public record Totp(String url, String secret, Qr qr) {}

    public record Key(SecurityKey key, KeyButton remove) {}

    /**
     * {@code status}: what protects the account, in words; {@code factorOn} false only when nothing does.
     * {@code offerTotp}: the form to set up an app is shown (with {@code enrolKey} when a key must confirm it).
     * {@code reset}: the pending admin-assisted reset of the user's second factor, with its Cancel button (or null).
     */
    public record Account(
            String message,
            String status,
            boolean factorOn,
            List<String> recoveryCodes,
            Totp totp,
            boolean offerTotp,
            KeyButton enrolKey,
            List<Key> keys,
            boolean keyOtp,
            KeyButton addKey,
            String antiPhishingPhrase,
            PendingReset reset) {
        /** The same page showing the user's anti-phishing phrase (null = none set). */
        public Account withPhrase(String phrase) {
            return new Account(
                    message,
                    status,
                    factorOn,
                    recoveryCodes,
                    totp,
                    offerTotp,
                    enrolKey,
                    keys,
                    keyOtp,
                    addKey,
                    phrase,
                    reset);
        }
    }

    public record TokenRow(Token token, String reaches, KeyButton revoke) {}

    public record Tokens(String done, List<TokenRow> tokens) {}

    public record Member(String user, String role) {}

    /** {@code resets}: the members' pending second-factor resets, shown to the org's owners (who may cancel them). */
    public record Org(
            String org,
            String done,
            List<Member> members,
            String approvals,
            boolean stagingRequired,
            boolean require2fa,
            boolean securityKeyApproval,
            String mfa,
            List<String> mfaChoices,
            KeyButton key,
            List<PendingReset> resets) {}
}
