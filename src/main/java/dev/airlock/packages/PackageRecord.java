package dev.airlock.packages;

/**
 * A package row. {@code state}: active | unpublished | staged (a name reserved by a first staged upload, invisible
 * until approved). {@code access}: public | restricted.
 */
public record PackageRecord(String name, String scope, String access, String state, long revSeq, long createdAt,
                            long modifiedAt) {
    public static final String STAGED = "staged";
    public static final String PUBLIC = "public";
    public static final String RESTRICTED = "restricted";

    public boolean active() {
        return "active".equals(state);
    }

    public boolean isPublic() {
        return PUBLIC.equals(access);
    }
}
