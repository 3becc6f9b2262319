package dev.airlock.platform.tarball;

import java.io.IOException;
import java.io.InputStream;

/** The bytes of one file entry: at most {@code size} bytes of the archive stream, which closing leaves open. */
final class Bounded extends InputStream {
    private final InputStream in;
    private long left;

    Bounded(InputStream in, long size) {
        this.in = in;
        this.left = size;
    }

    @Override
    public int read() throws IOException {
        if (left <= 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw new java.io.EOFException("the tarball ends inside a file");
        }
        left--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (left <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw new java.io.EOFException("the tarball ends inside a file");
        }
        left -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(Math.max(n, 0), left));
        left -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), left);
    }

    @Override
    public void close() {
        // the archive stream goes on to the next entry
    }

    /** Skips what the visitor did not read. */
    void finish() throws IOException {
        in.skipNBytes(left);
        left = 0;
    }
}
