package dev.airlock.twofactor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** RFC 6238 TOTP: HMAC-SHA-1, 6 digits, 30-second steps (what authenticator apps and npm's QR code expect). */
final class Totp {
    static final long STEP_SECONDS = 30;
    private static final int DIGITS = 6;

    private Totp() {}

    static long step(long epochMillis) {
        return Math.floorDiv(epochMillis / 1000, STEP_SECONDS);
    }

    /** RFC 4226 HOTP value for one counter, as a zero-padded string of {@code digits}. */
    static String code(byte[] secret, long counter, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(counter).array());
            int offset = h[h.length - 1] & 0x0f;
            int binary = (h[offset] & 0x7f) << 24
                    | (h[offset + 1] & 0xff) << 16
                    | (h[offset + 2] & 0xff) << 8
                    | (h[offset + 3] & 0xff);
            int mod = (int) Math.pow(10, digits);
            return String.format("%0" + digits + "d", binary % mod);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String code(byte[] secret, long counter) {
        return code(secret, counter, DIGITS);
    }

    /** The step (now-1, now or now+1) whose code equals {@code code}, or -1. Constant work for every candidate. */
    static long matchingStep(byte[] secret, String code, long nowMillis) {
        long now = step(nowMillis);
        long found = -1;
        for (long s = now - 1; s <= now + 1; s++) {
            if (java.security.MessageDigest.isEqual(
                            code(secret, s).getBytes(StandardCharsets.UTF_8), code.getBytes(StandardCharsets.UTF_8))
                    && found < 0) {
                found = s;
            }
        }
        return found;
    }
}
