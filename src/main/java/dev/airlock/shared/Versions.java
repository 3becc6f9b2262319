package dev.airlock.shared;

import java.util.regex.Pattern;

/** Strict semver 2.0.0 as npm's registry accepts it for publishing (no leading v, no loose forms). */
public final class Versions {
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
            + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
            + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

    private Versions() {}

    public static boolean isStrict(String version) {
        return version != null
                && version.length() <= 256
                && SEMVER.matcher(version).matches();
    }

    public static String require(String version) {
        if (!isStrict(version)) {
            throw AirlockException.badRequest(
                    "Invalid version \"" + version + "\": versions must be strict semver, e.g. 1.2.3");
        }
        return version;
    }
}
