package dev.airlock.imports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.io.Spool;
import java.io.IOException;

/**
 * One version in a source: the manifest clients installed from it (its {@code dist} carries the integrity and shasum
 * the tarball is verified against), when it was published (epoch millis, null when the source does not say), its
 * deprecation message (null when none), its readme (null when none) and how to fetch its tarball.
 */
public record SourceVersion(
        String version, ObjectNode manifest, Long publishedAt, String deprecated, String readme, Tarball tarball) {

    /** Fetches the tarball's bytes, at most {@code maxBytes} of them (more is an error naming the limit). */
    @FunctionalInterface
    public interface Tarball {
        Spool fetch(long maxBytes) throws IOException;
    }
}
