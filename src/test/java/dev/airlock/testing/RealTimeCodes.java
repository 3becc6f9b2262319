package dev.airlock.testing;

/**
 * A user's authenticator app for servers in other processes, whose clock the test cannot move: real-time TOTP codes.
 * The server accepts the codes of the steps now-1, now and now+1, each once per account and only in increasing
 * order, so {@link #next()} hands out the next step not yet used that the server accepts now (with a few seconds to
 * spare), and waits for the clock when the user has used up the window.
 */
public final class RealTimeCodes {
    private static final long STEP = 30_000;
    private static final long MARGIN = 8_000;
    private final Authenticator app;
    private long last = -1;

    public RealTimeCodes(String base32) {
        this.app = new Authenticator(base32, new MutableClock());
    }

    /** A code no request of this user used yet, valid for at least a few more seconds. */
    public synchronized String next() {
        while (true) {
            String code = tryNext();
            if (code != null) {
                return code;
            }
            long t = System.currentTimeMillis();
            sleep(last * STEP + 500 - t); // until step last + 1 is inside the window (now + 1)
        }
    }

    /**
     * As {@link #next}, but null instead of waiting when this user has used up the window (a load driver then asks
     * another user).
     */
    public synchronized String tryNext() {
        long t = System.currentTimeMillis();
        long now = t / STEP;
        long k = Math.max(last + 1, now - 1);
        if (k == now - 1 && (k + 2) * STEP - t < MARGIN) {
            k = now; // now-1 is about to leave the window
        }
        if (k > now + 1) {
            return null;
        }
        last = k;
        return app.code(k);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(1, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
