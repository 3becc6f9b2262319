package dev.airlock.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The hostile clients of {@link SlowClientScenario}, on raw sockets (one thread per kind, not per connection). */
final class SlowSockets {
    private SlowSockets() {}

    /** This process's soft limit on open files (-1 when unknown): the server child inherits it. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Sends a request head of {@code bytes} bytes at once; returns the status line (or what happened). */
    static String oversizedHead(InetSocketAddress addr, int bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(addr, 10_000);
            s.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder("GET /-/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (int i = 0; head.length() < bytes; i++) {
                head.append("X-Filler-")
                        .append(i)
                        .append(": ")
                        .append("x".repeat(100))
                        .append("\r\n");
            }
            head.append("\r\n");
            try {
                s.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the server may answer and close before the whole head is written: read the answer
            }
            return statusLine(s.getInputStream());
        }
    }

    static String statusLine(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int c = in.read(); c >= 0 && c != '\r' && c != '\n'; c = in.read()) {
                line.write(c);
            }
        } catch (IOException e) {
            return line.size() == 0 ? "closed (" + e.getMessage() + ")" : line.toString(StandardCharsets.US_ASCII);
        }
        return line.size() == 0 ? "closed" : line.toString(StandardCharsets.US_ASCII);
    }

    /** Opens {@code n} connections that send nothing and hands them to the watcher; returns the time it took. */
    static long openIdle(InetSocketAddress addr, int n, Watcher watcher) throws InterruptedException {
        long t0 = System.nanoTime();
        watcher.start();
        List<Thread> openers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(n);
        for (int t = 0; t < 16; t++) {
            Thread opener = new Thread(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        watcher.add(SocketChannel.open(addr));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            opener.start();
            openers.add(opener);
        }
        for (Thread opener : openers) {
            opener.join();
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits on a set of silent connections until the server closes each; records how long each lived. */
    static final class Watcher extends Thread {
        private final Selector selector;
        private final List<Long> lived = new ArrayList<>();

        Watcher() throws IOException {
            super("slow-watcher");
            setDaemon(true);
            selector = Selector.open();
        }

        private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> pending =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        /** A connection to watch, from any thread; its life is counted from now. */
        void add(SocketChannel c) throws IOException {
            c.configureBlocking(false);
            pending.add(new Object[] {c, System.nanoTime()});
            count.incrementAndGet();
            selector.wakeup();
        }

        int size() {
            return count.get();
        }

        private void registerPending() throws IOException {
            for (Object[] p = pending.poll(); p != null; p = pending.poll()) {
                ((SocketChannel) p[0]).register(selector, SelectionKey.OP_READ, p[1]);
            }
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                while (!isInterrupted() && (lived.size() < count.get() || count.get() == 0)) {
                    registerPending();
                    selector.select(200);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        buf.clear();
                        int n;
                        try {
                            n = c.read(buf);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            synchronized (lived) {
                                lived.add((System.nanoTime() - (long) k.attachment()) / 1_000_000);
                            }
                            k.cancel();
                            c.close();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                selector.selectNow();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Waits up to {@code millis} for every connection to be closed, then closes what is left. */
        void await(long millis) throws InterruptedException, IOException {
            join(millis);
            interrupt();
            join(5000);
            registerPending();
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
        }

        int open() {
            synchronized (lived) {
                return count.get() - lived.size();
            }
        }

        long maxMs() {
            synchronized (lived) {
                return lived.stream().mapToLong(Long::longValue).max().orElse(0);
            }
        }

        String summary() {
            synchronized (lived) {
                List<Long> s = new ArrayList<>(lived);
                s.sort(null);
                return String.format(
                        "%d of %d closed by the server, after %s ms",
                        s.size(), count.get(), s.isEmpty() ? "-" : s.get(0) + ".." + s.get(s.size() - 1));
            }
        }
    }

    /** Slowloris: connections that send a request line, then one header line per second, never the blank line. */
    static final class Loris extends Thread {
        private final InetSocketAddress addr;
        private final int n;
        private final long until;
        private final List<SocketChannel> open = new ArrayList<>();
        private int openAtEnd;

        Loris(InetSocketAddress addr, int n, long untilNanos) {
            super("slowloris");
            setDaemon(true);
            this.addr = addr;
            this.n = n;
            this.until = untilNanos;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < n; i++) {
                    SocketChannel c = SocketChannel.open(addr);
                    c.write(ascii("GET /-/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
                    c.configureBlocking(false);
                    open.add(c);
                }
                for (int line = 0; System.nanoTime() < until; line++) {
                    for (SocketChannel c : open) {
                        if (c.isOpen()) {
                            try {
                                c.write(ascii("X-Slow-" + line + ": 1\r\n"));
                            } catch (IOException e) {
                                c.close();
                            }
                        }
                    }
                    Thread.sleep(1000);
                }
                openAtEnd = (int) open.stream().filter(SocketChannel::isOpen).count();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits for the trickling to end; the connections then fall silent and go to a watcher. */
        Watcher stopAndWatch() throws IOException, InterruptedException {
            join();
            Watcher w = new Watcher();
            for (SocketChannel c : open) {
                if (c.isOpen()) {
                    w.add(c);
                }
            }
            w.start();
            return w;
        }

        int openAtEnd() {
            return openAtEnd;
        }
    }

    /** A publish whose body arrives at 4 bytes a second; records when the server answered or closed. */
    static final class Body extends Thread {
        private final InetSocketAddress addr;
        private final String name;
        private final String token;
        private final long giveUpMs;
        volatile long cutMs = -1;
        volatile String answer = "none";

        Body(InetSocketAddress addr, String name, String token, long giveUpMs) {
            super("slow-body");
            setDaemon(true);
            this.addr = addr;
            this.name = name;
            this.token = token;
            this.giveUpMs = giveUpMs;
        }

        @Override
        public void run() {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(addr, 10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(("PUT /" + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                                + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                while ((System.nanoTime() - t0) / 1_000_000 < giveUpMs) {
                    if (in.available() > 0) {
                        answer = statusLine(in);
                        break;
                    }
                    try {
                        out.write("    ".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException e) {
                        answer = "closed";
                        break;
                    }
                    Thread.sleep(1000);
                }
                if (!answer.equals("none")) {
                    cutMs = (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (IOException e) {
                answer = "closed";
                cutMs = (System.nanoTime() - t0) / 1_000_000;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads a tarball at {@code rate} bytes/s through a small receive buffer; must not be cut off. */
    static final class Reader extends Thread {
        private final InetSocketAddress addr;
        private final String path;
        private final byte[] expected;
        private final int rate;
        private final long until;
        private final boolean whole;
        private long body;
        private long seconds;
        volatile String problem = "did not finish";

        Reader(InetSocketAddress addr, String path, byte[] expected, int rate, long untilNanos, boolean whole) {
            super("slow-reader");
            setDaemon(true);
            this.addr = addr;
            this.path = path;
            this.expected = expected;
            this.rate = rate;
            this.until = untilNanos;
            this.whole = whole;
        }

        @Override
        public void run() {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(addr, 10_000);
                s.setSoTimeout(30_000);
                s.getOutputStream()
                        .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[rate];
                int headEnd = -1;
                while (whole || System.nanoTime() < until) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                    if (headEnd < 0) {
                        headEnd = indexOf(got.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    body = headEnd < 0 ? 0 : got.size() - headEnd - 4;
                    if (whole && body >= expected.length) {
                        break;
                    }
                    Thread.sleep(1000L * n / rate);
                }
                seconds = (System.nanoTime() - t0) / 1_000_000_000;
                byte[] all = got.toByteArray();
                String status = new String(all, 0, Math.min(all.length, 12), StandardCharsets.US_ASCII);
                byte[] bodyBytes = headEnd < 0 ? new byte[0] : Arrays.copyOfRange(all, headEnd + 4, all.length);
                int cmp = Math.min(bodyBytes.length, expected.length);
                if (!status.startsWith("HTTP/1.1 200")) {
                    problem = "answered " + status;
                } else if (!Arrays.equals(bodyBytes, 0, cmp, expected, 0, cmp)) {
                    problem = "the bytes received differ from the tarball";
                } else if (whole && bodyBytes.length != expected.length) {
                    problem = "cut off after " + bodyBytes.length + " of " + expected.length + " bytes";
                } else if (!whole && System.nanoTime() < until) {
                    problem = "cut off after " + bodyBytes.length + " bytes, before the attack ended";
                } else {
                    problem = null;
                }
            } catch (IOException e) {
                problem = "cut off after " + body + " bytes: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String summary() {
            return String.format(
                    "%d of %d tarball bytes in %d s (%s)",
                    body, expected.length, seconds, problem == null ? "not cut off" : problem);
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
