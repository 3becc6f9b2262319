package dev.airlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's dnsmasq serving test zones on a free loopback port (UDP and TCP), with no upstream: names under the
 * {@code local} domains it does not know answer NXDOMAIN. {@code records} are dnsmasq options such as
 * {@code --txt-record=good.test,v=spf1 -all}, {@code --mx-host=…}, {@code --address=/host/127.0.0.1}.
 */
public final class Dnsmasq implements AutoCloseable {
    public final int port;
    private final Process process;
    private final Path log;

    private Dnsmasq(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static Dnsmasq start(Path dir, List<String> local, List<String> records) {
        try {
            int port = freePort();
            List<String> argv = new ArrayList<>(List.of(
                    "/usr/sbin/dnsmasq",
                    "--keep-in-foreground",
                    "--conf-file=/dev/null",
                    "--no-resolv",
                    "--no-hosts",
                    "--no-poll",
                    "--pid-file=",
                    "--user=" + System.getProperty("user.name"),
                    "--listen-address=127.0.0.1",
                    "--bind-interfaces",
                    "--port=" + port,
                    "--log-queries",
                    "--log-facility=-"));
            for (String l : local) {
                argv.add("--local=/" + l + "/");
            }
            argv.addAll(records);
            Path log = dir.resolve("dnsmasq.log");
            Process p = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Dnsmasq d = new Dnsmasq(port, p, log);
            d.awaitListening();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** host:port, as mail.check.dnsServer takes it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dnsmasq exited: " + Files.readString(log));
            }
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                if (s.isConnected()) {
                    return;
                }
            } catch (IOException e) {
                try {
                    // waits on the process: returns at once if dnsmasq exits
                    process.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    throw new IOException(i);
                }
            }
        }
        throw new IllegalStateException("dnsmasq did not listen on " + port + ": " + Files.readString(log));
    }

    /** A port free for both UDP and TCP on loopback. */
    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                try (DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                    return u.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port for UDP and TCP");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
