package dev.airlock.scim;

/** A SCIM error (RFC 7644 section 3.12): an HTTP status, an optional {@code scimType} and a detail sentence. */
public final class ScimException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String scimType;

    public ScimException(int status, String scimType, String detail) {
        super(detail);
        this.status = status;
        this.scimType = scimType;
    }

    public int status() {
        return status;
    }

    public String scimType() {
        return scimType;
    }

    static ScimException notFound(String what) {
        return new ScimException(404, null, what + " not found.");
    }

    static ScimException invalidValue(String detail) {
        return new ScimException(400, "invalidValue", detail);
    }
}
