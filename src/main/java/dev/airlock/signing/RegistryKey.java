package dev.airlock.signing;

/**
 * A public registry key as {@code /-/npm/v1/keys} serves it: {@code keyid} ({@code SHA256:} and the unpadded base64
 * of the SHA-256 of the SubjectPublicKeyInfo), the base64 SPKI DER of an ECDSA P-256 key, when it was made (epoch
 * millis; 0 when unknown, e.g. an upstream's key) and when it stopped signing (null while it is current).
 */
public record RegistryKey(String keyid, String spki, long createdAt, Long expiresAt) {
    public boolean current() {
        return expiresAt == null;
    }
}
