package dev.airlock.platform.tarball;

/**
 * A tarball the reader will not vouch for: npm would read it differently from us, or some other installer could, or it
 * breaks a limit. {@link #reason()} is a lower-case clause ("the tarball contains a link (package/x)") for the caller to
 * put in its own sentence.
 */
public final class TarballRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TarballRefusedException(String reason) {
        super(reason);
    }

    public String reason() {
        return getMessage();
    }
}
