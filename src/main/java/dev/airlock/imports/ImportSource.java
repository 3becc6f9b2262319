package dev.airlock.imports;

import java.io.IOException;
import java.util.List;

/**
 * Where packages are imported from: another npm-compatible registry, a Verdaccio storage directory, or a directory of
 * tarballs. A source only reads; {@link ImportService} verifies and commits what it hands over.
 */
public interface ImportSource {
    /** What the imported versions' authorisation field names as their source (a URL or a directory). */
    String describe();

    /** {@code registry}, {@code verdaccio} or {@code tarballs}. */
    String kind();

    /** Every package this source holds, for an import that names none (a registry answers with an error). */
    List<String> names() throws IOException;

    /** The package as the source holds it, or null when the source does not have it. */
    SourcePackage load(String name) throws IOException;
}
