package dev.airlock.platform.tarball;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The decompressed bytes of a gzip stream of one or more members (zlib, and so node-tar, reads on into every
 * concatenated member), counted: past {@code limit} bytes, or past node-tar's decompression ratio of 1000 to the
 * compressed bytes read so far (npm aborts the install there), the tarball is refused. Anything but gzip is refused:
 * node-tar would also read a plain or zstd tar, but npm never publishes one.
 */
final class Unpacked extends FilterInputStream {
    static final long MAX_RATIO = 1000;
    private final Counting compressed;
    private final long limit;
    private long count;

    private Unpacked(Counting compressed, InputStream gzip, long limit) {
        super(gzip);
        this.compressed = compressed;
        this.limit = limit;
    }

    static Unpacked open(InputStream tgz, long limit) throws IOException {
        Counting counting = new Counting(tgz);
        return new Unpacked(
                counting,
                GzipCompressorInputStream.builder()
                        .setDecompressConcatenated(true)
                        .setInputStream(counting)
                        .get(),
                limit);
    }

    private void add(long n) {
        if (n <= 0) {
            return;
        }
        count += n;
        if (count > limit) {
            throw new TarballRefusedException("it unpacks to more than " + limit + " bytes");
        }
        if (count > MAX_RATIO * Math.max(1, compressed.count)) {
            throw new TarballRefusedException(
                    "it unpacks to more than " + MAX_RATIO + " times its size, which npm refuses" + " to install");
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        add(n);
        return n;
    }

    /** Skipped bytes are read, so that they are counted. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
