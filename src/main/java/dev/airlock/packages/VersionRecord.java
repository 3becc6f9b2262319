package dev.airlock.packages;

/** One version row in any state: staged | published | rejected | unpublished. */
public record VersionRecord(String pkg, String version, String state, String manifestJson, String readme,
                            String integrity, String shasum, String blob, long size, long createdAt, Long publishedAt,
                            String publishedBy, String deprecated) {
    public static final String STAGED = "staged";
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String UNPUBLISHED = "unpublished";

    public boolean published() {
        return PUBLISHED.equals(state);
    }
}
