package dev.airlock.shared;

/**
 * Who is acting: a user (through a password, a login session or a token) or nobody.
 * {@code credential} names the kind of credential ("password", "session", "granular", "cli").
 * {@code otp} is the one-time password presented with this request (npm's {@code npm-otp} header), if any.
 * {@code facts} carries what the audit log records about the request (user agent, token name, verified factor).
 */
public record Actor(
        String user,
        String credential,
        String tokenKey,
        String sourceAddress,
        String otp,
        TokenScope scope,
        RequestFacts facts) {
    public Actor {
        facts = facts == null ? new RequestFacts(null, null) : facts;
    }

    public Actor(String user, String credential, String tokenKey, String sourceAddress, String otp, TokenScope scope) {
        this(user, credential, tokenKey, sourceAddress, otp, scope, null);
    }

    public Actor(String user, String credential, String tokenKey, String sourceAddress) {
        this(user, credential, tokenKey, sourceAddress, null, null);
    }

    public Actor(String user, String credential, String tokenKey, String sourceAddress, String otp) {
        this(user, credential, tokenKey, sourceAddress, otp, null);
    }

    /** A token's public id: the first 16 hex digits of its key (the SHA-256 of its secret), never the secret. */
    public static String tokenId(String key) {
        return key.substring(0, Math.min(16, key.length()));
    }

    public static Actor anonymous(String sourceAddress) {
        return new Actor(null, "none", null, sourceAddress);
    }

    /** An operator running the airlock command line on the server. */
    public static Actor operator() {
        return new Actor("@cli", "cli", null, "local");
    }

    public Actor withOtp(String code) {
        return new Actor(user, credential, tokenKey, sourceAddress, code, scope, facts);
    }

    /** The same actor with the request's {@code User-Agent} (keeps the token name). */
    public Actor withUserAgent(String userAgent) {
        return new Actor(
                user, credential, tokenKey, sourceAddress, otp, scope, new RequestFacts(userAgent, facts.tokenName()));
    }

    /** The same request (address, user agent, verified factor) acting as another principal (e.g. after a password). */
    public Actor as(String otherUser, String otherCredential) {
        return new Actor(otherUser, otherCredential, null, sourceAddress, otp, null, facts);
    }

    public boolean isOperator() {
        return "cli".equals(credential);
    }

    /** A short-lived token from the trusted-publishing (OIDC) exchange. */
    public boolean trustedPublishing() {
        return "oidc".equals(credential);
    }

    /** A token that skips two-factor checks on writes (it can always stage; see docs/tokens.md). */
    public boolean bypasses2fa() {
        return scope != null && scope.bypass2fa();
    }

    /** May this credential reach the package (read, or write)? Unrestricted credentials always may. */
    public boolean reaches(PackageName name, boolean write) {
        return scope == null || scope.allowsPackage(name, write);
    }

    /** A human's interactive credential: a password or a token from npm login (not an automation token). */
    public boolean interactive() {
        return "session".equals(credential) || "password".equals(credential);
    }

    public boolean authenticated() {
        return user != null;
    }

    public String describe() {
        return user == null ? "anonymous" : user;
    }
}
