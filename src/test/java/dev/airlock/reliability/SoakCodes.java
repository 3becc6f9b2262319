package dev.airlock.reliability;

import dev.airlock.testing.Authenticator;
import dev.airlock.testing.MutableClock;

/**
 * One approver's authenticator app, on the real clock. The server accepts the codes of the 30-second steps now-1, now
 * and now+1, each once per account and only in increasing order, so a user has at most one fresh code per step:
 * {@link #tryNext()} hands out the next one the server accepts now, or null when this user has used up the window
 * (the soak then asks another approver instead of waiting).
 */
final class SoakCodes {
    private static final long STEP = 30_000;
    private static final long MARGIN = 8_000;
    private final Authenticator app;
    private long last = -1;

    SoakCodes(String base32) {
        this.app = new Authenticator(base32, new MutableClock());
    }

    synchronized String tryNext() {
        long t = System.currentTimeMillis();
        long now = t / STEP;
        long k = Math.max(last + 1, now - 1);
        if (k == now - 1 && (k + 2) * STEP - t < MARGIN) {
            k = now;
        }
        if (k > now + 1) {
            return null;
        }
        last = k;
        return app.code(k);
    }
}
