package dev.airlock.shared;

/** 429 Too Many Requests with the number of seconds the client should wait (sent as Retry-After). */
public final class RateLimited extends AirlockException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    public RateLimited(String message, long retryAfterSeconds) {
        super(ErrorCode.TOO_MANY_REQUESTS, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /**
     * Seconds until one of {@code limit} or more failures (times in epoch millis, oldest first, all within the window)
     * ages out of a window of {@code windowMillis}, so that one more try is allowed.
     */
    public static long secondsUntilOneAgesOut(java.util.List<Long> failures, int limit, long windowMillis, long now) {
        return (failures.get(failures.size() - limit) + windowMillis - now + 999) / 1000;
    }
}
