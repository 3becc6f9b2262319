package dev.airlock.review;

import java.util.Locale;
import java.util.Set;

/**
 * What the first bytes of a file say about it: binary or text, the longest line, encoded payloads (long runs of
 * base64 / hex / escape alphabets with high Shannon entropy, or text whose byte entropy is that of encoded data),
 * minified code, bidi controls. Pure functions of (path, head).
 */
final class ContentChecks {
    /** A line longer than this (in characters) is not hand-written code: minified, generated or a payload. */
    static final int LONG_LINE = 1_000;
    /** A run of encoding-alphabet characters at least this long is a candidate payload. */
    static final int ENCODED_RUN_MIN = 1_024;
    /**
     * Shannon entropy (bits per character) above which such a run is encoded data, not repetition: hex is about 4,
     * base64 about 6, \x-escaped bytes about 3.5; a ruler of ==== is 0.
     */
    static final double ENCODED_RUN_BITS = 3.0;
    /** Mostly-ASCII text with this byte entropy is encoded data (base64 is 6.0; minified JavaScript measures 5.2–5.4). */
    static final double TEXT_BITS = 5.8;
    /** The byte-entropy rule applies from this many bytes of mostly-ASCII (at least 90 %) text. */
    static final int TEXT_BITS_MIN_BYTES = 4_096;

    private static final Set<String> BINARY_EXTENSIONS =
            Set.of(".node", ".exe", ".dll", ".so", ".dylib", ".wasm", ".bin", ".jar", ".class", ".o", ".a");

    /** {@code payload}: a sentence describing the encoded payload found, or null. */
    record Stats(boolean binary, boolean minified, int longestLine, String payload, int bidiControls) {
        boolean longLines() {
            return longestLine > LONG_LINE;
        }
    }

    private ContentChecks() {}

    static Stats of(String path, byte[] head) {
        if (binary(path, head)) {
            return new Stats(true, false, 0, null, 0);
        }
        String text = new String(head, java.nio.charset.StandardCharsets.UTF_8);
        int longest = longestLine(text);
        boolean js = path.endsWith(".js") || path.endsWith(".cjs") || path.endsWith(".mjs");
        boolean minified = path.endsWith(".min.js") || js && longest > LONG_LINE;
        int bidi = (int) text.codePoints().filter(VisibleText::bidiControl).count();
        return new Stats(false, minified, longest, payload(head), bidi);
    }

    static boolean binary(String path, byte[] head) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (BINARY_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
            return true;
        }
        int n = Math.min(head.length, 8192);
        for (int i = 0; i < n; i++) {
            if (head[i] == 0) {
                return true;
            }
        }
        return false;
    }

    static int longestLine(String text) {
        int longest = 0;
        int current = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                current = 0;
            } else if (!Character.isLowSurrogate(c)) {
                longest = Math.max(longest, ++current);
            }
        }
        return longest;
    }

    /** The first encoded payload found in these bytes, described; null when there is none. */
    static String payload(byte[] head) {
        int[] counts = new int[128];
        int start = 0;
        for (int i = 0; i <= head.length; i++) {
            if (i < head.length && encodingAlphabet(head[i])) {
                counts[head[i]]++;
                continue;
            }
            int length = i - start;
            if (length >= ENCODED_RUN_MIN) {
                double bits = entropy(counts, length);
                if (bits >= ENCODED_RUN_BITS) {
                    return String.format(
                            Locale.ROOT,
                            "a run of %,d encoded characters (%.1f bits of entropy per character)",
                            length,
                            bits);
                }
            }
            java.util.Arrays.fill(counts, 0);
            start = i + 1;
        }
        int ascii = 0;
        int[] bytes = new int[256];
        for (byte b : head) {
            bytes[b & 0xFF]++;
            ascii += b >= 0 ? 1 : 0;
        }
        if (head.length >= TEXT_BITS_MIN_BYTES && ascii * 10L >= head.length * 9L) {
            double bits = entropy(bytes, head.length);
            if (bits >= TEXT_BITS) {
                return String.format(Locale.ROOT, "text with %.1f bits of entropy per byte, as encoded data has", bits);
            }
        }
        return null;
    }

    /** Base64 and base64url, hex, \x and %xx escapes. */
    private static boolean encodingAlphabet(byte b) {
        return b >= 'A' && b <= 'Z'
                || b >= 'a' && b <= 'z'
                || b >= '0' && b <= '9'
                || b == '+'
                || b == '/'
                || b == '='
                || b == '-'
                || b == '_'
                || b == '\\'
                || b == '%';
    }

    static double entropy(int[] counts, int total) {
        double bits = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                bits -= p * Math.log(p) / Math.log(2);
            }
        }
        return bits;
    }
}
