package dev.airlock.scim;

import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.util.List;

/** The bearer tokens of SCIM clients ({@code ./airlock scim token create|list|revoke}): only their SHA-256 is kept. */
public final class ScimTokens {
    private final Database db;
    private final ScimStore store;
    private final Clock clock;

    ScimTokens(Database db, ScimStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** A new client token: the secret (shown once) and its id. */
    public record Created(String id, String secret) {}

    public record TokenInfo(String id, String description, long createdAt, Long lastUsedAt, Long revokedAt) {}

    public Created create(String description) {
        String secret = "airlock_scim_" + Secrets.base62(43);
        String hash = Hashes.sha256Hex(secret);
        String id = hash.substring(0, 12);
        db.write(tx -> {
            store.insertToken(tx, hash, id, description == null ? "" : description, clock.millis());
            return null;
        });
        return new Created(id, secret);
    }

    public List<TokenInfo> list() {
        return db.read(tx -> store.tokens(tx).stream()
                .map(t -> new TokenInfo(t.id(), t.description(), t.createdAt(), t.lastUsedAt(), t.revokedAt()))
                .toList());
    }

    public void revoke(String id) {
        if (!db.write(tx -> store.revokeToken(tx, id, clock.millis()))) {
            throw AirlockException.notFound("No live SCIM token \"" + id + "\".");
        }
    }

    /** Checks a request's {@code Authorization} header; a 401 SCIM error unless it carries a live client token. */
    public void authenticate(String authorization) {
        String secret = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
        String hash = secret == null || secret.isEmpty() ? null : Hashes.sha256Hex(secret);
        ScimStore.TokenRow row = hash == null ? null : db.read(tx -> store.tokenByHash(tx, hash));
        if (row == null || row.revokedAt() != null) {
            throw new ScimException(401, null, "A valid SCIM bearer token is required (./airlock scim token create).");
        }
        long now = clock.millis();
        if (row.lastUsedAt() == null || now - row.lastUsedAt() > 60_000) {
            db.write(tx -> {
                store.touchToken(tx, hash, now);
                return null;
            });
        }
    }
}
