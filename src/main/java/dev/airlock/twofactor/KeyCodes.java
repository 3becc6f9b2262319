package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Codes that prove a security-key assertion: the code a web-OTP confirmation hands to npm, and the code a console
 * step-up puts into the actor it acts as. Only their SHA-256 is stored. A code works once, for its user and the
 * credential (token) that asked for it, for the operation it was made for (web OTP), and until it expires.
 */
final class KeyCodes {
    /** Codes minted from a security-key assertion start with this (TOTP codes are digits, recovery codes 12 a-z0-9). */
    static final String PREFIX = "airlock-key-";
    /** How long a step-up code stays usable. */
    static final long STEP_UP_MILLIS = 60_000L;

    private final Database db;
    private final SecurityKeyStore store;
    private final AuditService audit;
    private final Clock clock;

    KeyCodes(Database db, SecurityKeyStore store, AuditService audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    static boolean isKeyCode(String code) {
        return code.startsWith(PREFIX);
    }

    static String newCode() {
        return PREFIX + Secrets.base62(32);
    }

    /** A code for any operation of {@code user}, usable once within a minute by the actor's credential. */
    String stepUp(Actor actor, String user) {
        String code = newCode();
        long now = clock.millis();
        db.write(tx -> {
            store.insertCode(
                    tx,
                    new SecurityKeyStore.KeyCode(
                            Secrets.base62(22),
                            user,
                            actor.tokenKey(),
                            null,
                            actor.sourceAddress(),
                            now,
                            now + STEP_UP_MILLIS,
                            Hashes.sha256Hex(code)),
                    Hashes.sha256Hex(Secrets.base62(32)));
            return null;
        });
        return code;
    }

    /**
     * Uses the code for {@code what}: returns the factor name (a security key, or the identity provider's factor that
     * confirmed a web-OTP request), or audits and throws OTP_REQUIRED. With {@code securityKeyOnly} an identity
     * provider's confirmation that is not phishing-resistant is refused (and used up: it was for this request).
     */
    String redeem(Actor actor, String code, String what, boolean securityKeyOnly) {
        String hash = Hashes.sha256Hex(code);
        long now = clock.millis();
        SecurityKeyStore.KeyCode used = db.write(tx -> {
            SecurityKeyStore.KeyCode k = store.codeByHash(tx, hash);
            return k != null
                            && k.user().equals(actor.user())
                            && k.usedAt() == null
                            && k.expiresAt() >= now
                            && (k.operation() == null || k.operation().equals(what))
                            && Objects.equals(k.tokenKey(), actor.tokenKey())
                            && store.use(tx, hash, now)
                    ? k
                    : null;
        });
        if (used != null && used.factor() == null) {
            return TwoFactorService.SECURITY_KEY;
        }
        if (used != null) {
            if (securityKeyOnly && !used.phishingResistant()) {
                throw TwoFactorService.notPhishingResistant(what, used.factor());
            }
            return used.factor();
        }
        db.write(tx -> {
            audit.record(
                    tx,
                    actor,
                    "tfa.failure",
                    "failure",
                    "user:" + actor.user(),
                    Map.of("reason", "security-key code not valid here"));
            return null;
        });
        throw new AirlockException(
                ErrorCode.OTP_REQUIRED,
                "That security-key confirmation is not valid for this request: it works"
                        + " once, for the request that asked for it, within two minutes. Run the command again.");
    }
}
