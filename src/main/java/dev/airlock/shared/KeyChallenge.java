package dev.airlock.shared;

/**
 * A second factor is needed and the user confirms it with a security key in the browser: npm's web OTP. The 401
 * carries {@code authUrl} (the page to open) and {@code doneUrl} (which the CLI polls for a single-use code).
 */
public final class KeyChallenge extends AirlockException {
    private static final long serialVersionUID = 1L;
    private final String authUrl;
    private final String doneUrl;

    public KeyChallenge(String message, String authUrl, String doneUrl) {
        super(ErrorCode.OTP_REQUIRED, message);
        this.authUrl = authUrl;
        this.doneUrl = doneUrl;
    }

    public String authUrl() {
        return authUrl;
    }

    public String doneUrl() {
        return doneUrl;
    }
}
