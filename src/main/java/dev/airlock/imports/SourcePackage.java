package dev.airlock.imports;

import java.util.List;
import java.util.Map;

/**
 * One package as a source holds it. {@code createdAt} (epoch millis) may be null when the source does not say;
 * {@code maintainers} are user names at the source (mapped to local users of the same name where they exist).
 */
public record SourcePackage(
        String name,
        Map<String, String> distTags,
        Long createdAt,
        List<String> maintainers,
        List<SourceVersion> versions) {}
