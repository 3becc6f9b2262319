package dev.airlock.staging;

/**
 * A staged upload waiting for (or decided by) human approval. Built by name with {@link #builder()}; a new stage is
 * {@link StageState#PENDING}.
 */
public record Stage(
        String id,
        String pkg,
        String version,
        String tag,
        String actor,
        String actorType,
        String tokenKey,
        String source,
        String integrity,
        String shasum,
        long size,
        int approvalsRequired,
        StageState status,
        long createdAt,
        long expiresAt,
        Long decidedAt,
        String decidedBy,
        String ciJson) {
    public static final String APPROVED = StageState.APPROVED.wire();
    public static final String REJECTED = StageState.REJECTED.wire();
    public static final String EXPIRED = StageState.EXPIRED.wire();

    /** The state as its stored word: pending | approved | rejected | expired. */
    public String state() {
        return status.wire();
    }

    public boolean pendingAt(long now) {
        return status == StageState.PENDING && expiresAt > now;
    }

    /** The state to show at {@code now}: a pending stage past its time is expired even before the sweep runs. */
    public StageState statusAt(long now) {
        return status == StageState.PENDING && expiresAt <= now ? StageState.EXPIRED : status;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named construction of a {@link Stage}; every field not set is null, 0 or {@link StageState#PENDING}. */
    public static final class Builder {
        private String id;
        private String pkg;
        private String version;
        private String tag;
        private String actor;
        private String actorType;
        private String tokenKey;
        private String source;
        private String integrity;
        private String shasum;
        private long size;
        private int approvalsRequired;
        private StageState status = StageState.PENDING;
        private long createdAt;
        private long expiresAt;
        private Long decidedAt;
        private String decidedBy;
        private String ciJson;

        private Builder() {}

        public Builder id(String v) {
            id = v;
            return this;
        }

        /** The package and version staged, and the dist-tag its approval will set. */
        public Builder release(String pkgName, String versionNumber, String distTag) {
            pkg = pkgName;
            version = versionNumber;
            tag = distTag;
            return this;
        }

        /** Who staged (user, or "provider:repo" for trusted publishing), how (user | token | oidc), with which token, from where. */
        public Builder stagedBy(String who, String type, String token, String from) {
            actor = who;
            actorType = type;
            tokenKey = token;
            source = from;
            return this;
        }

        /** The tarball's SRI integrity, sha1 and size. */
        public Builder tarball(String sri, String sha1, long bytes) {
            integrity = sri;
            shasum = sha1;
            size = bytes;
            return this;
        }

        public Builder approvalsRequired(int n) {
            approvalsRequired = n;
            return this;
        }

        public Builder status(StageState v) {
            status = v;
            return this;
        }

        /** When it was staged and when it expires (epoch millis). */
        public Builder lifetime(long created, long expires) {
            createdAt = created;
            expiresAt = expires;
            return this;
        }

        /** When and by whom it was decided (null for pending and expired stages). */
        public Builder decided(Long at, String by) {
            decidedAt = at;
            decidedBy = by;
            return this;
        }

        /** The CI identity of a trusted-publishing stager (JSON), or null. */
        public Builder ciJson(String v) {
            ciJson = v;
            return this;
        }

        public Stage build() {
            return new Stage(
                    id,
                    pkg,
                    version,
                    tag,
                    actor,
                    actorType,
                    tokenKey,
                    source,
                    integrity,
                    shasum,
                    size,
                    approvalsRequired,
                    status,
                    createdAt,
                    expiresAt,
                    decidedAt,
                    decidedBy,
                    ciJson);
        }
    }

    /**
     * What a notification about this stage says in its structured data (webhooks): package, version, tag, stage id,
     * who staged it and with what kind of credential. Callers add their own fields.
     */
    public java.util.Map<String, Object> noticeData() {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("package", pkg);
        data.put("version", version);
        data.put("tag", tag);
        data.put("stage", id);
        data.put("stagedBy", actor);
        data.put("actorType", actorType);
        return data;
    }
}
