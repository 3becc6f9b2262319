package dev.airlock.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** Message digests in the encodings npm uses (hex shasum, SRI integrity). */
public final class Hashes {
    private Hashes() {}

    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String s) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    public static String sri(String algorithm, byte[] digest) {
        return algorithm + "-" + Base64.getEncoder().encodeToString(digest);
    }

    /** Constant-time comparison of two strings. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
