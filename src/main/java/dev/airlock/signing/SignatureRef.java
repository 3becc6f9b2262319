package dev.airlock.signing;

/**
 * One registry signature as npm carries it in {@code dist.signatures}: the signing key's {@code keyid} and the
 * base64 of the DER ECDSA-SHA256 signature.
 */
public record SignatureRef(String keyid, String sig) {}
