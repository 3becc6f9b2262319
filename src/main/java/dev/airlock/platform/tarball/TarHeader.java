package dev.airlock.platform.tarball;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One 512-byte tar header, decoded as node-tar's {@code Header} decodes it (field offsets, ustar prefix rules, the
 * checksum over 12 bytes from offset 148, base-256 numbers), but only when that reading is unambiguous: a field with
 * bytes after its terminator, a number that is not plain octal, a name that is not UTF-8, or a header node-tar would
 * skip (bad checksum, a base-256 number it cannot parse) is refused, because other readers could see something else.
 */
record TarHeader(char type, String name, String prefix, String linkName, long size) {
    static final int BLOCK = 512;
    private static final byte[] USTAR = "ustar\u000000".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] GNU = "ustar  \u0000".getBytes(StandardCharsets.ISO_8859_1);

    static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static TarHeader decode(byte[] b) {
        checkChecksum(b);
        int t = b[156] & 0xff;
        char type = t == 0 ? '0' : (char) t;
        number(b, 100, 8, false);
        number(b, 108, 8, false);
        number(b, 116, 8, false);
        long size = number(b, 124, 12, true);
        number(b, 136, 12, false);
        String prefix = "";
        byte[] magic = Arrays.copyOfRange(b, 257, 265);
        if (Arrays.equals(magic, USTAR)) {
            number(b, 329, 8, false);
            number(b, 337, 8, false);
            if (b[475] != 0) {
                prefix = string(b, 345, 155);
            } else {
                prefix = string(b, 345, 130);
                number(b, 476, 12, false);
                number(b, 488, 12, false);
            }
        } else if (!Arrays.equals(magic, GNU) && !isZero(magic)) {
            throw new TarballRefusedException("the tarball has an entry header in an unknown format");
        }
        return new TarHeader(type, string(b, 0, 100), prefix, string(b, 157, 100), size);
    }

    /** The entry's path as node-tar's header computes it when no extended header gives one. */
    String path() {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /**
     * node-tar accepts a header when the octal number it parses from the 12 bytes at offset 148 equals the sum of the
     * header's unsigned bytes (the checksum field counted as spaces). We also want the field itself to be plain octal
     * ended by a space or NUL within its 8 bytes, which makes both readings the same number.
     */
    private static void checkChecksum(byte[] b) {
        long sum = 8 * ' ';
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? 0 : b[i] & 0xff;
        }
        int i = 148;
        while (i < 156 && b[i] == ' ') {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < 156 && b[i] >= '0' && b[i] <= '7') {
            value = value * 8 + (b[i++] - '0');
            digits++;
        }
        boolean terminated = i < 156;
        while (i < 156 && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        if (digits == 0 || !terminated || i != 156 || value != sum) {
            throw new TarballRefusedException(
                    "the tarball is not a valid gzipped tar archive (an entry header has a bad" + " checksum)");
        }
    }

    /**
     * A numeric field: leading spaces, octal digits, then only spaces and NULs (empty reads as 0, as node-tar's missing
     * value does); or base-256 with the 0x80 marker (0xff, negative, too, except for sizes), within 2^53 as node-tar
     * requires.
     */
    static long number(byte[] b, int off, int len, boolean isSize) {
        int first = b[off] & 0xff;
        if ((first & 0x80) != 0) {
            if (first != 0x80 && (isSize || first != 0xff)) {
                throw new TarballRefusedException("the tarball has an entry header with an unreadable number");
            }
            if (first == 0xff) {
                return -1;
            }
            long value = 0;
            for (int i = off + 1; i < off + len; i++) {
                if (value > (1L << 45)) {
                    throw new TarballRefusedException("the tarball has an entry header with a number too large");
                }
                value = value << 8 | (b[i] & 0xff);
            }
            if (value >= 1L << 53) {
                throw new TarballRefusedException("the tarball has an entry header with a number too large");
            }
            return value;
        }
        int i = off;
        int end = off + len;
        while (i < end && b[i] == ' ') {
            i++;
        }
        long value = 0;
        while (i < end && b[i] >= '0' && b[i] <= '7') {
            if (value > (1L << 50)) {
                throw new TarballRefusedException("the tarball has an entry header with a number too large");
            }
            value = value * 8 + (b[i++] - '0');
        }
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        if (i != end) {
            throw new TarballRefusedException("the tarball has an entry header with a malformed number");
        }
        return value;
    }

    /** A text field: UTF-8 up to the first NUL, and nothing but NULs after it. */
    static String string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        for (int i = end; i < off + len; i++) {
            if (b[i] != 0) {
                throw new TarballRefusedException("the tarball has an entry header with data after the end of a name");
            }
        }
        return utf8(b, off, end - off);
    }

    static String utf8(byte[] b, int off, int len) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TarballRefusedException("the tarball contains a name that is not valid UTF-8");
        }
    }
}
