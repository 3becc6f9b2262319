package dev.airlock.twofactor;

/** A user's TOTP enrolment: mode {@code auth-only} or {@code auth-and-writes}; pending until the first code. */
public record TwoFactorStatus(String mode, boolean pending) {
    public static final String AUTH_ONLY = "auth-only";
    public static final String AUTH_AND_WRITES = "auth-and-writes";

    public boolean enabled() {
        return !pending;
    }
}
