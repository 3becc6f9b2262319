package dev.airlock.tokens;

import dev.airlock.shared.TokenScope;
import java.util.List;

/**
 * A stored credential as shown to its owner (never the secret). {@code key} is the SHA-256 of the secret. Built by
 * name with {@link #builder()}.
 */
public record Token(
        String key,
        String user,
        String kind,
        String display,
        String name,
        String description,
        boolean readonly,
        List<String> cidr,
        boolean bypass2fa,
        long createdAt,
        long updatedAt,
        Long expiresAt,
        Long lastUsedAt,
        String lastUsedFrom,
        Long revokedAt,
        TokenScope scope) {
    public static final String SESSION = "session";
    public static final String GRANULAR = "granular";
    public static final String OIDC = "oidc";

    public boolean activeAt(long now) {
        return revokedAt == null && (expiresAt == null || expiresAt > now);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named construction of a {@link Token}; every field not set is null, false or 0. */
    public static final class Builder {
        private String key;
        private String user;
        private String kind;
        private String display;
        private String name;
        private String description;
        private boolean readonly;
        private List<String> cidr;
        private boolean bypass2fa;
        private long createdAt;
        private long updatedAt;
        private Long expiresAt;
        private Long lastUsedAt;
        private String lastUsedFrom;
        private Long revokedAt;
        private TokenScope scope;

        private Builder() {}

        /** The SHA-256 of the secret. */
        public Builder key(String v) {
            key = v;
            return this;
        }

        /** The owner. */
        public Builder user(String v) {
            user = v;
            return this;
        }

        /** {@link #SESSION}, {@link #GRANULAR} or {@link #OIDC}. */
        public Builder kind(String v) {
            kind = v;
            return this;
        }

        /** The first characters of the secret, shown to tell tokens apart. */
        public Builder display(String v) {
            display = v;
            return this;
        }

        /** The owner's name and description of the token (either may be null). */
        public Builder named(String tokenName, String text) {
            name = tokenName;
            description = text;
            return this;
        }

        public Builder readonly(boolean v) {
            readonly = v;
            return this;
        }

        /** The CIDR ranges the token may be used from; null for anywhere. */
        public Builder cidr(List<String> v) {
            cidr = v;
            return this;
        }

        public Builder bypass2fa(boolean v) {
            bypass2fa = v;
            return this;
        }

        /** When it was created and last changed (epoch millis). */
        public Builder timestamps(long created, long updated) {
            createdAt = created;
            updatedAt = updated;
            return this;
        }

        /** When it expires (epoch millis), or null for never. */
        public Builder expiresAt(Long v) {
            expiresAt = v;
            return this;
        }

        /** When and from which address it was last used (null if never). */
        public Builder lastUsed(Long at, String from) {
            lastUsedAt = at;
            lastUsedFrom = from;
            return this;
        }

        public Builder revokedAt(Long v) {
            revokedAt = v;
            return this;
        }

        /** What it may touch; null acts with all of the owner's rights. */
        public Builder scope(TokenScope v) {
            scope = v;
            return this;
        }

        public Token build() {
            return new Token(
                    key,
                    user,
                    kind,
                    display,
                    name,
                    description,
                    readonly,
                    cidr,
                    bypass2fa,
                    createdAt,
                    updatedAt,
                    expiresAt,
                    lastUsedAt,
                    lastUsedFrom,
                    revokedAt,
                    scope);
        }
    }
}
