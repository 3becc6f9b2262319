package dev.airlock.twofactor;

import dev.airlock.shared.Actor;

/**
 * Asks for a fresh second factor inside the two-factor feature (changing or removing a factor needs one): verifies
 * the code the actor presented for {@code what}, or throws the challenge. {@link TwoFactorService#verify} is the one
 * implementation; the TOTP and security-key services receive it so that they need not know the web-OTP flow.
 */
@FunctionalInterface
interface FreshFactor {
    /** Returns the factor used; throws OTP_REQUIRED, npm's web-OTP challenge, 401 or 429. */
    String verify(Actor actor, String what);
}
