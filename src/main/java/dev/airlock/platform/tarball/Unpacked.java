package dev.airlock.platform.tarball;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The decompressed bytes of a gzip stream of one or more members, read as Node's zlib (and so node-tar) reads them
 * (see {@link Members}), counted: past {@code limit} bytes, or past node-tar's decompression ratio of 1000 to the
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
        return new Unpacked(counting, new Members(new BufferedInputStream(counting, 64 * 1024)), limit);
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

    /**
     * Concatenated gzip members as Node's zlib reads them: after a member ends, what follows is read as another member
     * (anything but a gzip header is an error) unless it starts with a zero byte: trailing zeros are padding (old npm
     * versions padded tarballs with them) and zlib ignores them and whatever follows.
     */
    private static final class Members extends InputStream {
        private final BufferedInputStream in;
        private InputStream member;

        Members(BufferedInputStream in) throws IOException {
            this.in = in;
            this.member = member(in);
        }

        private static InputStream member(InputStream in) throws IOException {
            // not closed on its own: closing it would close the stream the next member comes from
            return GzipCompressorInputStream.builder()
                    .setInputStream(in)
                    .setDecompressConcatenated(false)
                    .get();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (member != null) {
                int n = member.read(b, off, len);
                if (n != -1) {
                    return n;
                }
                in.mark(1);
                int next = in.read();
                in.reset();
                member = next == -1 || next == 0 ? null : member(in);
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
