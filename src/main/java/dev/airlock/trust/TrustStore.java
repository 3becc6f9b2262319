package dev.airlock.trust;

import dev.airlock.platform.db.Tx;
import java.util.Map;

interface TrustStore {
    TrustedPublisher find(Tx tx, String pkg);

    void insert(Tx tx, TrustedPublisher t);

    void delete(Tx tx, String id);

    void pin(Tx tx, String id, Map<String, String> pinned);

    /** Records an ID token id; false when it was already used (replay). */
    boolean claimJti(Tx tx, String issuer, String jti, long expiresAt);
}
