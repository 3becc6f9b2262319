package dev.airlock.platform.http;

import java.util.Locale;

/**
 * One byte range of a resource of known length (RFC 9110 §14): the part a {@code Range: bytes=...} header asks for.
 * Only a single range is served; a header this does not understand, or one with several ranges, is ignored (the
 * whole resource is sent, as the RFC allows).
 */
public record ByteRange(long start, long end) {
    /** The answer for a range no byte of the resource satisfies (416). */
    public static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    public long length() {
        return end - start + 1;
    }

    /**
     * The range {@code header} asks for in a resource of {@code size} bytes: null when the header is absent, malformed
     * or asks for several ranges (send everything), {@link #UNSATISFIABLE} when it asks for bytes past the end.
     */
    public static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.toLowerCase(Locale.ROOT).startsWith("bytes=")) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0 || spec.indexOf(',') >= 0) {
            return null;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        if (first.isEmpty()) {
            long suffix = digits(last);
            if (suffix < 0) {
                return null;
            }
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, size - suffix), size - 1);
        }
        long start = digits(first);
        long end = last.isEmpty() ? Long.MAX_VALUE : digits(last);
        if (start < 0 || end < 0 || end < start) {
            return null;
        }
        if (start >= size) {
            return UNSATISFIABLE;
        }
        return new ByteRange(start, Math.min(end, size - 1));
    }

    /** A non-negative decimal number, or -1 when {@code s} is not one (or overflows). */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
