package dev.airlock.shared;

/** 429 Too Many Requests with the number of seconds the client should wait (sent as Retry-After). */
public final class RateLimited extends AirlockException {
    private final long retryAfterSeconds;

    public RateLimited(String message, long retryAfterSeconds) {
        super(ErrorCode.TOO_MANY_REQUESTS, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
