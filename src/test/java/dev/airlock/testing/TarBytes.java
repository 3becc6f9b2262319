package dev.airlock.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/** Tar archives byte by byte, for tarballs no well-behaved writer would make: each header field can be set by hand. */
public final class TarBytes {
    public static final int BLOCK = 512;

    private TarBytes() {}

    /** A ustar header; {@code tweak} may change any byte before the checksum is computed. */
    public static byte[] header(String name, char type, long size, Consumer<byte[]> tweak) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        put(h, 100, 8, "0000644");
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        put(h, 124, 12, String.format("%011o", size));
        put(h, 136, 12, "14162740000");
        h[156] = (byte) type;
        put(h, 257, 8, "ustar\u000000");
        if (tweak != null) {
            tweak.accept(h);
        }
        return checksum(h);
    }

    /** Writes the checksum field (six octal digits, NUL, space) for the header as it is. */
    public static byte[] checksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum) + "\u0000 ");
        return h;
    }

    public static void put(byte[] h, int off, int len, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        if (v.length > len) {
            throw new IllegalArgumentException(value + " does not fit in " + len + " bytes");
        }
        java.util.Arrays.fill(h, off, off + len, (byte) 0);
        System.arraycopy(v, 0, h, off, v.length);
    }

    /** A regular file entry: header, content, padding. */
    public static byte[] file(String name, byte[] content) {
        return entry(header(name, '0', content.length, null), content);
    }

    public static byte[] file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A header followed by a body padded to whole blocks. */
    public static byte[] entry(byte[] header, byte[] body) {
        int padded = (body.length + BLOCK - 1) / BLOCK * BLOCK;
        byte[] out = new byte[BLOCK + padded];
        System.arraycopy(header, 0, out, 0, BLOCK);
        System.arraycopy(body, 0, out, BLOCK, body.length);
        return out;
    }

    public static byte[] dir(String name) {
        return header(name, '5', 0, null);
    }

    /** A PAX extended header (type x, or g for a global one) with these records. */
    public static byte[] pax(char type, Map<String, String> records) {
        StringBuilder body = new StringBuilder();
        records.forEach((k, v) -> body.append(paxRecord(k, v)));
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        return entry(header("PaxHeader/x", type, b.length, null), b);
    }

    public static String paxRecord(String key, String value) {
        int len = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int n = len + String.valueOf(len).length();
        if (String.valueOf(n).length() != String.valueOf(len).length()) {
            n++;
        }
        return n + " " + key + "=" + value + "\n";
    }

    /** A GNU long name (L) or long link (K) entry. */
    public static byte[] gnuLong(char type, String name) {
        byte[] b = (name + "\u0000").getBytes(StandardCharsets.UTF_8);
        return entry(header("././@LongLink", type, b.length, h -> put(h, 257, 8, "ustar  \u0000")), b);
    }

    /** The end of an archive: two zero blocks. */
    public static byte[] end() {
        return new byte[2 * BLOCK];
    }

    public static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Each part gzipped as its own member, the members concatenated (what zlib, and node-tar, read through). */
    public static byte[] gzipMembers(byte[]... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : members) {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(one)) {
                gz.write(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.writeBytes(one.toByteArray());
        }
        return out.toByteArray();
    }

    /** The security defect of issue 10: package.json in the first gzip member, install.js in the second. */
    public static byte[] twoMembers(String packageJson, String installJs) {
        return gzipMembers(
                file("package/package.json", packageJson), cat(file("package/install.js", installJs), end()));
    }
}
