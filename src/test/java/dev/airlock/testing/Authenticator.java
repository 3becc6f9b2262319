package dev.airlock.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A user's authenticator app, written independently of the server's TOTP code (RFC 6238 from the otpauth secret).
 * Codes are single-use per account, so {@link #next()} first moves the registry's clock to a fresh 30-second step.
 */
public final class Authenticator {
    private final String base32;
    private final MutableClock clock;

    public Authenticator(String base32, MutableClock clock) {
        this.base32 = base32;
        this.clock = clock;
    }

    public String secret() {
        return base32;
    }

    /** A code no request has used yet. */
    public String next() {
        clock.advance(Duration.ofSeconds(30));
        return now();
    }

    /** The code of the current step (may already be used). */
    public String now() {
        return code(clock.millis() / 1000 / 30);
    }

    public String code(long step) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(decodeBase32(base32), "HmacSHA1"));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int o = h[h.length - 1] & 0xf;
            int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
            return String.format("%06d", bin % 1_000_000);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] decodeBase32(String s) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteBuffer out = ByteBuffer.allocate(s.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char c : s.toUpperCase(Locale.ROOT).toCharArray()) {
            if (c == '=') {
                break;
            }
            buffer = buffer << 5 | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }
}
