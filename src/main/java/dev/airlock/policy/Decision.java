package dev.airlock.policy;

import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;

/**
 * The {@link Gate}'s answer: allowed; refused (with the npm-facing sentence and status — 401, 403, or 404 for what
 * the actor may not even see); or allowed once a fresh second factor is verified: a one-time password (an
 * authenticator code, a recovery code, or a code confirmed with a security key) or a security key only.
 * A decision consumes nothing: {@link Gate#enforce} verifies the factor the actor presented.
 */
public sealed interface Decision {
    record Allowed() implements Decision {
        /** The one allowed answer (held here, not in the interface, so initialising Decision never needs Allowed). */
        public static final Allowed INSTANCE = new Allowed();
    }

    record Refused(ErrorCode code, String message) implements Decision {
        public AirlockException exception() {
            return new AirlockException(code, message);
        }
    }

    /** A fresh one-time password (or a security key's confirmation) for {@code what} ("make changes", "approve a@1.0.0"). */
    record NeedsOtp(String what) implements Decision {}

    /** A fresh security-key assertion for {@code what}; codes from an authenticator app are not accepted. */
    record NeedsSecurityKey(String what) implements Decision {}

    static Decision refused(ErrorCode code, String message) {
        return new Refused(code, message);
    }

    static Decision forbidden(String message) {
        return new Refused(ErrorCode.FORBIDDEN, message);
    }

    default boolean refused() {
        return this instanceof Refused;
    }

    /** Short form for logs and decision tables: allowed, 401, 403, 404, otp, key. */
    default String brief() {
        if (this instanceof Refused r) {
            return String.valueOf(r.code().status());
        }
        return this instanceof NeedsOtp ? "otp" : this instanceof NeedsSecurityKey ? "key" : "allowed";
    }
}
