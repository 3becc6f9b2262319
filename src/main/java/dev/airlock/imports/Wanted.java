package dev.airlock.imports;

import java.util.Map;
import java.util.Set;

/**
 * What to import of one package: every version the source has ({@code versions} empty), or the listed ones (a
 * lockfile's). {@code lockedIntegrity} maps a version to the integrity a lockfile recorded for it; the source's
 * tarball must match it too.
 */
public record Wanted(String name, Set<String> versions, Map<String, String> lockedIntegrity) {
    public static Wanted all(String name) {
        return new Wanted(name, Set.of(), Map.of());
    }

    public boolean everyVersion() {
        return versions.isEmpty();
    }
}
