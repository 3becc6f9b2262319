package dev.airlock.platform.http;

/** Conditional request headers (RFC 9110 §13) against a resource's strong entity tag. */
final class Conditions {
    private Conditions() {}

    /** Whether {@code If-None-Match} (absent: no) names {@code etag} (weak comparison) or is {@code *}. */
    static boolean noneMatch(String header, String etag) {
        if (header == null) {
            return false;
        }
        if (header.equals(etag)) {
            return true; // what npm sends back: the one tag it was given
        }
        for (String tag : header.split(",", -1)) {
            String t = tag.trim();
            if (t.equals("*")
                    || t.equals(etag)
                    || (t.startsWith("W/") && t.substring(2).equals(etag))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a {@code Range} may be honoured: no {@code If-Range}, or one naming exactly this strong tag. A date or
     * another tag means the client's partial copy may be stale: it gets the whole resource.
     */
    static boolean ifRange(String header, String etag) {
        return header == null || header.trim().equals(etag);
    }
}
