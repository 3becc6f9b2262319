package dev.airlock.console.view;

import java.util.List;

/**
 * The sign-in pages: an error sentence (or null), where to go afterwards, the key step when there is one, the
 * single sign-on buttons, and whether the password form is offered ({@code auth.passwordSignIn}).
 */
public record SignInPage(
        String error, String next, String passkeyHref, KeyButton key, List<SsoButton> sso, boolean passwords) {
    public SignInPage {
        sso = sso == null ? List.of() : List.copyOf(sso);
    }

    public SignInPage(String error, String next, String passkeyHref, KeyButton key) {
        this(error, next, passkeyHref, key, List.of(), true);
    }

    /** "Sign in with {@code label}": the start URL of one identity provider (with the page to return to). */
    public record SsoButton(String id, String label, String href) {}
}
