package dev.airlock.twofactor;

/** A registered WebAuthn credential (security key or passkey) as the console lists it. */
public record SecurityKey(String id, String user, String nickname, long createdAt, Long lastUsedAt) {}
