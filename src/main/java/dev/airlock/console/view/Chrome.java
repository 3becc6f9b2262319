package dev.airlock.console.view;

/**
 * What every console page's frame needs: who is signed in (null on the sign-in pages), the session's CSRF token for
 * the sign-out form, which navigation entry is current, and the page's time for relative dates, and the version segment of the static files' URLs (a content hash, so they can be
 * cached for a year), and whether the user is a registry administrator (the admin pages' links).
 */
public record Chrome(String title, String user, String csrf, String section, long now, String assets, boolean admin) {
    /** For someone who is not a registry administrator (the admin pages' links are not shown). */
    public Chrome(String title, String user, String csrf, String section, long now, String assets) {
        this(title, user, csrf, section, now, assets, false);
    }

    public boolean signedIn() {
        return user != null;
    }

    public String current(String entry) {
        return entry.equals(section) ? "page" : null;
    }
}
