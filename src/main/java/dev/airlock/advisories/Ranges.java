package dev.airlock.advisories;

import org.semver4j.Semver;

/** npm's test of a version against an advisory's range: node-semver with prereleases included, as npm audit does. */
final class Ranges {
    private Ranges() {}

    /** Whether {@code version} is in {@code range}; a version that is not semver matches only {@code "*"}. */
    static boolean satisfies(String version, String range) {
        if (range.equals("*")) {
            return true;
        }
        Semver v = Semver.parse(version);
        if (v == null) {
            v = Semver.coerce(version);
        }
        return v != null && v.satisfies(range, true);
    }
}
