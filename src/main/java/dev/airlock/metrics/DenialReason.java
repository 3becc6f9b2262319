package dev.airlock.metrics;

/**
 * The bounded reason classes of {@code airlock_oidc_exchange_denials_total}: the audit event keeps the exact reason
 * (which names issuers, key ids, claims); a label must not, so each reason maps to one class.
 */
final class DenialReason {
    private DenialReason() {}

    static String of(String reason) {
        String r = reason == null ? "" : reason;
        if (r.equals("no ID token")) {
            return "missing-token";
        }
        if (r.startsWith("not a signed JWT")) {
            return "malformed";
        }
        if (r.startsWith("issuer ") && r.endsWith("is not configured")) {
            return "unknown-issuer";
        }
        if (r.contains("JWKS")) {
            return "jwks-unavailable";
        }
        if (r.startsWith("algorithm ")
                || r.startsWith("keys supplied")
                || r.contains("no kid")
                || r.startsWith("key ")
                || r.startsWith("unknown kid")
                || r.contains("signature")) {
            return "signature";
        }
        if (r.startsWith("audience ")) {
            return "audience";
        }
        if (r.startsWith("expired") || r.startsWith("not valid yet") || r.startsWith("issued in the future")) {
            return "time";
        }
        if (r.contains("was already used")) {
            return "replay";
        }
        if (r.contains("has no trust relationship")) {
            return "no-trust-relationship";
        }
        if (r.startsWith("issuer type ")) {
            return "issuer-type-mismatch";
        }
        return r.isEmpty() ? "other" : "claims-mismatch";
    }
}
