package dev.airlock.platform.http;

import io.javalin.http.Context;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.eclipse.jetty.ee10.servlet.HttpOutput;

/**
 * Response bodies sent from a file without copying through the Java heap: the file is read into a per-thread direct
 * buffer that Jetty writes to the socket as is; a file of {@link #MAP_BYTES} or more is memory-mapped instead, so its
 * bytes go from the page cache to the socket. (Jetty's {@code HttpOutput.sendContent(ReadableByteChannel)} would do
 * the former with pooled buffers, but blocked the next request on a kept-alive connection under Javalin.) (Small files are not mapped: a mapping per request costs more than the copy,
 * and mappings are only released by the garbage collector.)
 */
final class FileBodies {
    static final long MAP_BYTES = 1 << 20;
    /** Per Jetty thread, reused: direct, so the kernel copies straight into it and Jetty writes it as is. */
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(32 * 1024));

    private FileBodies() {}

    /**
     * Sends {@code length} bytes of {@code file} from {@code start}; the file must hold exactly {@code size} bytes
     * (a short copy fails the request before anything is sent). With {@code head} only checks the file.
     */
    static void send(Context ctx, Path file, long size, long start, long length, boolean head) {
        try (FileChannel ch = open(file, size)) {
            if (head) {
                return;
            }
            OutputStream out = ctx.res().getOutputStream();
            if (out instanceof HttpOutput jetty) {
                copy(ch, file, start, length, jetty::write);
            } else {
                try (InputStream in = Channels.newInputStream(new Window(ch, start, length))) {
                    in.transferTo(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@link #copy} writes: a blocking write (the buffer has been consumed when it returns). */
    interface Sink {
        void write(ByteBuffer buffer) throws IOException;
    }

    /** Opens a blob's file for reading, checking it holds exactly {@code size} bytes. */
    static FileChannel open(Path file, long size) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IOException("blob missing: " + file.getFileName(), e);
        }
        if (ch.size() != size) {
            long actual = ch.size();
            ch.close();
            throw new IOException("blob " + file.getFileName() + " has " + actual + " bytes, expected " + size);
        }
        return ch;
    }

    /**
     * Writes {@code length} bytes of {@code ch} from {@code start} to {@code sink}: mapped when large, else through
     * this thread's direct buffer (reusable because every write has consumed it when it returns).
     */
    static void copy(FileChannel ch, Path file, long start, long length, Sink sink) throws IOException {
        if (length >= MAP_BYTES) {
            sink.write(ch.map(FileChannel.MapMode.READ_ONLY, start, length));
            return;
        }
        ByteBuffer buf = BUFFER.get();
        long position = start;
        long end = start + length;
        while (position < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - position));
            int n = ch.read(buf, position);
            if (n < 0) {
                throw new IOException("blob " + file.getFileName() + " ended early");
            }
            position += n;
            sink.write(buf.flip());
        }
    }

    /** Sends what {@code content} holds (moving its position): written as is by Jetty, no heap copy. */
    static void send(Context ctx, ByteBuffer content) {
        try {
            OutputStream out = ctx.res().getOutputStream();
            if (out instanceof HttpOutput jetty) {
                jetty.write(content);
            } else if (content.hasArray()) {
                out.write(content.array(), content.arrayOffset() + content.position(), content.remaining());
            } else {
                byte[] copy = new byte[content.remaining()];
                content.get(copy);
                out.write(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code length} bytes of {@code in} from {@code start} (for a range of a streamed blob). */
    static InputStream slice(InputStream in, long start, long length) {
        try {
            in.skipNBytes(start);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    /** A window of a file channel, read with positional reads (the channel's own position is not used). */
    private static final class Window implements ReadableByteChannel {
        private final FileChannel ch;
        private long position;
        private final long end;

        Window(FileChannel ch, long start, long length) {
            this.ch = ch;
            this.position = start;
            this.end = start + length;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            long left = end - position;
            if (left <= 0) {
                return -1;
            }
            if (dst.remaining() <= left) {
                int n = ch.read(dst, position);
                position += Math.max(n, 0);
                return n;
            }
            int n = ch.read(dst.slice().limit((int) left), position);
            if (n > 0) {
                position += n;
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() {
            // the caller closes the channel
        }
    }
}
