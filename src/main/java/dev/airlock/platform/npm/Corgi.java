package dev.airlock.platform.npm;

import java.util.Set;

/** The abbreviated ("corgi") packument format npm asks for with {@code Accept: application/vnd.npm.install-v1+json}. */
public final class Corgi {
    public static final String MEDIA_TYPE = "application/vnd.npm.install-v1+json";

    /** Keys of the abbreviated format (registry docs + arborist's lockfile keys). */
    public static final Set<String> KEYS = Set.of(
            "name",
            "version",
            "dependencies",
            "optionalDependencies",
            "devDependencies",
            "bundleDependencies",
            "peerDependencies",
            "peerDependenciesMeta",
            "acceptDependencies",
            "bin",
            "directories",
            "engines",
            "os",
            "cpu",
            "libc",
            "funding",
            "license",
            "deprecated",
            "_hasShrinkwrap",
            "hasInstallScript",
            "dist");

    private Corgi() {}
}
