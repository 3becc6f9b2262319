package dev.airlock.packages;

/** One version row in any state: staged | published | rejected | unpublished. */
public record VersionRecord(String pkg, String version, String state, String manifestJson, String readme,
                            String integrity, String shasum, String blob, long size, long createdAt, Long publishedAt,
                            String publishedBy, String deprecated, String authorisation) {
    public VersionRecord(String pkg, String version, String state, String manifestJson, String readme, String integrity,
                         String shasum, String blob, long size, long createdAt, Long publishedAt, String publishedBy,
                         String deprecated) {
        this(pkg, version, state, manifestJson, readme, integrity, shasum, blob, size, createdAt, publishedAt, publishedBy,
                deprecated, null);
    }

    public static final String STAGED = "staged";
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String UNPUBLISHED = "unpublished";

    public boolean published() {
        return PUBLISHED.equals(state);
    }
}
