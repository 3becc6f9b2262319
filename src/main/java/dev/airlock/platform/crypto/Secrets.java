package dev.airlock.platform.crypto;

import java.security.SecureRandom;

/** Random secrets. Tokens look like {@code npm_<36 base62>} so npm redacts them and secret scanners match them. */
public final class Secrets {
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    public static String base62(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
        }
        return new String(out);
    }

    /** A new bearer token: 36 base62 characters (~214 bits) after the {@code npm_} prefix. */
    public static String token() {
        return "npm_" + base62(36);
    }
}
