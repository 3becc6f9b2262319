package dev.airlock.shared;

/**
 * What the audit log records about how a request arrived, besides its credential: the client's {@code User-Agent},
 * the name of the token it presented, and the second factor verified while serving it. One object per request,
 * shared by every {@link Actor} derived from the request's actor; the factor is set (once, by the two-factor feature)
 * when a fresh factor was checked, so every event the request records afterwards names it. Never holds a code.
 */
public final class RequestFacts {
    private final String userAgent;
    private final String tokenName;
    private volatile String factor;

    public RequestFacts(String userAgent, String tokenName) {
        this.userAgent = userAgent == null || userAgent.isBlank() ? null : clip(userAgent.trim());
        this.tokenName = tokenName;
    }

    public String userAgent() {
        return userAgent;
    }

    public String tokenName() {
        return tokenName;
    }

    /** The second factor verified for this request ({@code totp}, {@code recovery-code}, {@code security-key}), or null. */
    public String factor() {
        return factor;
    }

    /** Notes the factor the two-factor feature just verified for this request. */
    public void verified(String name) {
        if (name != null) {
            factor = name;
        }
    }

    private static String clip(String s) {
        return s.length() <= 512 ? s : s.substring(0, 512);
    }
}
