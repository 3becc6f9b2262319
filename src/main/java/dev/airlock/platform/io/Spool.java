package dev.airlock.platform.io;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Bytes written once and read as often as needed: in memory up to a threshold, beyond it in a file that is unlinked
 * as soon as it is created (nothing is left behind, even if the process dies; the space is freed when the spool is
 * closed). Request bodies far larger than the heap should hold (a publish of a 32 MiB tarball) live here, so memory
 * does not grow with their size or with how many arrive at once.
 */
public final class Spool implements Closeable {
    private final byte[] memory;
    private final FileChannel file;
    private final long size;

    private Spool(byte[] memory, FileChannel file, long size) {
        this.memory = memory;
        this.file = file;
        this.size = size;
    }

    /** A spool over bytes already in memory. */
    public static Spool of(byte[] bytes) {
        return new Spool(bytes, null, bytes.length);
    }

    public long size() {
        return size;
    }

    /** Whether the bytes are in memory ({@link #bytes()} is then cheap). */
    public boolean inMemory() {
        return memory != null;
    }

    /** The bytes, when in memory. */
    public byte[] bytes() {
        if (memory == null) {
            throw new IllegalStateException("spooled to disk: use open()");
        }
        return memory;
    }

    /** A new stream over all the bytes, from the start (each stream reads independently). */
    public InputStream open() {
        return memory != null ? new ByteArrayInputStream(memory) : new ChannelStream(file, size);
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return "Spool[" + size + " bytes" + (memory == null ? ", on disk" : "") + "]";
    }

    /** Collects bytes: the first {@code threshold} in memory, the rest in an unlinked file in {@code dir}. */
    public static final class Writer extends OutputStream {
        private final Path dir;
        private byte[] buf;
        private int count;
        private final int threshold;
        private FileChannel file;
        private long written;
        private boolean finished;

        public Writer(Path dir, int threshold) {
            this.dir = dir;
            this.threshold = threshold;
            this.buf = new byte[Math.min(threshold, 8192)];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (file == null && count + len > threshold) {
                toFile();
            }
            if (file == null) {
                if (count + len > buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(threshold, Math.max(count + len, buf.length * 2)));
                }
                System.arraycopy(b, off, buf, count, len);
                count += len;
            } else {
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) {
                    file.write(bb);
                }
            }
            written += len;
        }

        private void toFile() throws IOException {
            Files.createDirectories(dir);
            Path path = Files.createTempFile(dir, "spool-", ".tmp");
            try {
                file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } finally {
                Files.delete(path); // the open channel keeps the bytes; the name is gone at once
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, count);
            while (bb.hasRemaining()) {
                file.write(bb);
            }
            buf = null;
        }

        /** The spool of what was written; this writer is done. */
        public Spool finish() {
            finished = true;
            Spool s = file != null ? new Spool(null, file, written) : new Spool(Arrays.copyOf(buf, count), null, count);
            buf = null;
            return s;
        }

        /** Discards what was written (on failure before {@link #finish()}). */
        @Override
        public void close() throws IOException {
            if (!finished && file != null) { // once finished, the spool owns the file
                file.close();
            }
        }
    }

    /** Positional reads, so that several streams over one file do not disturb each other. */
    private static final class ChannelStream extends InputStream {
        private final FileChannel file;
        private final long size;
        private long position;

        ChannelStream(FileChannel file, long size) {
            this.file = file;
            this.size = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = file.read(ByteBuffer.wrap(b, off, (int) Math.min(len, size - position)), position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            long s = Math.max(0, Math.min(n, size - position));
            position += s;
            return s;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, size - position);
        }
    }
}
