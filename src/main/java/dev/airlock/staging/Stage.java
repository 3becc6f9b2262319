package dev.airlock.staging;

/** A staged upload waiting for (or decided by) human approval. {@code state}: pending | approved | rejected | expired. */
public record Stage(String id, String pkg, String version, String tag, String actor, String actorType, String tokenKey,
                    String source, String integrity, String shasum, long size, int approvalsRequired, String state,
                    long createdAt, long expiresAt, Long decidedAt, String decidedBy, String ciJson) {
    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";
    public static final String EXPIRED = "expired";

    public boolean pendingAt(long now) {
        return PENDING.equals(state) && expiresAt > now;
    }
}
