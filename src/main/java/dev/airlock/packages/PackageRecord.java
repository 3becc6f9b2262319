package dev.airlock.packages;

/** A package row in any {@link PackageState}. {@code access}: public | restricted. */
public record PackageRecord(
        String name, String scope, String access, PackageState state, long revSeq, long createdAt, long modifiedAt) {
    public static final String PUBLIC = "public";
    public static final String RESTRICTED = "restricted";

    /** A new package row (revision 0), created and modified now. */
    public static PackageRecord created(String name, String scope, String access, PackageState state, long now) {
        return new PackageRecord(name, scope, access, state, 0, now, now);
    }

    public PackageRecord withState(PackageState newState) {
        return new PackageRecord(name, scope, access, newState, revSeq, createdAt, modifiedAt);
    }

    public PackageRecord withAccess(String newAccess) {
        return new PackageRecord(name, scope, newAccess, state, revSeq, createdAt, modifiedAt);
    }

    public PackageRecord touchedAt(long at) {
        return new PackageRecord(name, scope, access, state, revSeq, createdAt, at);
    }

    /** The next revision, modified at {@code at}: what every change writes. */
    public PackageRecord nextRevision(long at) {
        return new PackageRecord(name, scope, access, state, revSeq + 1, createdAt, at);
    }

    public boolean active() {
        return state == PackageState.ACTIVE;
    }

    public boolean isPublic() {
        return PUBLIC.equals(access);
    }
}
