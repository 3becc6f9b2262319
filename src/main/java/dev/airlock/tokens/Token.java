package dev.airlock.tokens;

import dev.airlock.shared.TokenScope;
import java.util.List;

/** A stored credential as shown to its owner (never the secret). {@code key} is the SHA-256 of the secret. */
public record Token(String key, String user, String kind, String display, String name, String description,
                    boolean readonly, List<String> cidr, boolean bypass2fa, long createdAt, long updatedAt,
                    Long expiresAt, Long lastUsedAt, String lastUsedFrom, Long revokedAt, TokenScope scope) {
    public static final String SESSION = "session";
    public static final String GRANULAR = "granular";
    public static final String OIDC = "oidc";

    public boolean activeAt(long now) {
        return revokedAt == null && (expiresAt == null || expiresAt > now);
    }
}
