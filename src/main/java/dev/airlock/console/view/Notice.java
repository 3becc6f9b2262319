package dev.airlock.console.view;

/**
 * A page that only says something: a heading and one sentence ({@code kind} error or ok, {@code id} for tests),
 * and where to go next.
 */
public record Notice(String heading, String text, String kind, String id, String linkHref, String linkText) {
    public static Notice error(String text) {
        return new Notice(
                "Something needs your attention", text, "error", "error", "/-/console/", "Back to staged releases");
    }
}
