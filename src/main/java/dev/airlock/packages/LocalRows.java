package dev.airlock.packages;

/**
 * A local package's row read by another feature in its own statement, so that a warm proxied read is one statement
 * (docs/adr/0009-one-statement-per-warm-read.md): the proxy asks "is there a local package of this name?" and reads
 * its cached copy together. The packages feature lends the SQL ({@link JdbiLocalRows}: columns and joins of its
 * tables, bound to {@code :n} and {@code :v}) and maps the columns back; it alone decides visibility ({@link PackageService#visibleDocument},
 * {@link PackageService#visibleTarball}). Every column is null when no package of that name exists.
 */
public final class LocalRows {
    private LocalRows() {}

    /**
     * The package's name, scope and access; {@code etag} is non-null when it has a packument (its revision), {@code
     * body} is always null: {@link PackageService#visibleDocument} assembles or finds the document in memory.
     */
    public record Document(String name, String scope, String access, byte[] body, String etag) {}

    /** The package's name, scope and access, and one published version's tarball (blob null when no such version). */
    public record Tarball(String name, String scope, String access, String blob, long size, String integrity) {}
}
