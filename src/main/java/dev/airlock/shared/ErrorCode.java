package dev.airlock.shared;

/** The one error vocabulary. Each code maps to exactly one HTTP status in platform.http.ErrorMapper. */
public enum ErrorCode {
    BAD_REQUEST(400),
    /** 401 for an invalid bearer token: npm tells the user to log in again. */
    UNAUTHORIZED(401),
    /** 401 for wrong credentials at login: no challenge header, so npm shows our message. */
    LOGIN_FAILED(401),
    /** 401 with {@code WWW-Authenticate: OTP}: the npm CLI prompts for (or takes --otp) a one-time password. */
    OTP_REQUIRED(401),
    /** 401 with {@code WWW-Authenticate: ipaddress}: npm says login is not allowed from this address. */
    IP_NOT_ALLOWED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    /** The request body arrived slower than the server's minimum rate: nothing was stored; send it again. */
    REQUEST_TIMEOUT(408),
    CONFLICT(409),
    GONE(410),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    UNPROCESSABLE(422),
    TOO_MANY_REQUESTS(429),
    INTERNAL(500),
    /** The upstream registry could not be reached, or answered with something that cannot be served. */
    BAD_GATEWAY(502),
    /** The database stayed locked by another process beyond the wait: nothing was changed; repeat shortly. */
    SERVICE_UNAVAILABLE(503),
    /** The upstream registry did not answer in time. */
    GATEWAY_TIMEOUT(504),
    /** The registry's disk (or database) is full: nothing was stored; the request can be repeated once space returns. */
    INSUFFICIENT_STORAGE(507);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
