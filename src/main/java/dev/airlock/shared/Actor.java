package dev.airlock.shared;

/**
 * Who is acting: a user (through a password, a login session or a token) or nobody.
 * {@code credential} names the kind of credential ("password", "session", "token", "cli").
 */
public record Actor(String user, String credential, String tokenKey, String sourceAddress) {
    public static Actor anonymous(String sourceAddress) {
        return new Actor(null, "none", null, sourceAddress);
    }

    /** An operator running the airlock command line on the server. */
    public static Actor operator() {
        return new Actor("@cli", "cli", null, "local");
    }

    public boolean authenticated() {
        return user != null;
    }

    public String describe() {
        return user == null ? "anonymous" : user;
    }
}
