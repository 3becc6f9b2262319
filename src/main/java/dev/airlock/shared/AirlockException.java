package dev.airlock.shared;

/** A failure whose message is safe to show to the client (npm prints the JSON {@code error} field). */
public class AirlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public AirlockException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static AirlockException badRequest(String message) {
        return new AirlockException(ErrorCode.BAD_REQUEST, message);
    }

    public static AirlockException unauthorized(String message) {
        return new AirlockException(ErrorCode.UNAUTHORIZED, message);
    }

    public static AirlockException forbidden(String message) {
        return new AirlockException(ErrorCode.FORBIDDEN, message);
    }

    public static AirlockException notFound(String message) {
        return new AirlockException(ErrorCode.NOT_FOUND, message);
    }

    public static AirlockException conflict(String message) {
        return new AirlockException(ErrorCode.CONFLICT, message);
    }

    public static AirlockException unprocessable(String message) {
        return new AirlockException(ErrorCode.UNPROCESSABLE, message);
    }
}
