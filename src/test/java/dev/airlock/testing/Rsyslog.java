package dev.airlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslog collector (Debian's rsyslogd; TLS through rsyslog-gnutls) on a loopback port, receiving syslog over
 * TCP or TLS with octet-counted framing and writing each message's MSG part as one line of {@link #output()}. For TLS
 * it makes a test CA and a server certificate for 127.0.0.1 with the openssl command line ({@link #caFile()}).
 * {@link #stop()} and {@link #start()} stop and restart the same collector, appending to the same file.
 */
public final class Rsyslog implements AutoCloseable {
    private final Path dir;
    private final boolean tls;
    public final int port;
    private Process process;

    private Rsyslog(Path dir, boolean tls) {
        this.dir = dir;
        this.tls = tls;
        this.port = TestRegistry.freePort();
    }

    /** Starts a collector listening over TLS ({@code tls}) or plain TCP, in a new temporary directory. */
    public static Rsyslog start(boolean tls) {
        try {
            Rsyslog r = new Rsyslog(Files.createTempDirectory("rsyslog-test"), tls);
            if (tls) {
                TestCertificates.make(r.dir);
            }
            r.writeConfig();
            r.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    public Path output() {
        return dir.resolve("received.log");
    }

    /** The lines received so far. */
    public List<String> lines() {
        try {
            return Files.exists(output()) ? Files.readAllLines(output(), StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void start() {
        try {
            process = new ProcessBuilder(
                            "rsyslogd",
                            "-n",
                            "-f",
                            dir.resolve("rsyslog.conf").toString(),
                            "-i",
                            dir.resolve("rsyslog.pid").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("rsyslogd.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run rsyslogd: install Debian's rsyslog and rsyslog-gnutls (.ci/run does)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("rsyslogd did not start listening on " + port + ": " + log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Stops the collector (SIGTERM: it writes what it received, then exits) and waits for it to exit. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("rsyslogd.out"));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("work"));
        String global = "global(maxMessageSize=\"64k\" workDirectory=\"" + dir.resolve("work") + "\""
                + (tls
                        ? " defaultNetstreamDriver=\"gtls\" defaultNetstreamDriverCAFile=\"" + caFile()
                                + "\" defaultNetstreamDriverCertFile=\"" + dir.resolve("cert.pem")
                                + "\" defaultNetstreamDriverKeyFile=\"" + dir.resolve("key.pem") + "\""
                        : "")
                + ")\n";
        String module = tls
                ? "module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\""
                        + " streamDriver.authMode=\"anon\")\n"
                : "module(load=\"imtcp\")\n";
        Files.writeString(
                dir.resolve("rsyslog.conf"),
                global
                        + module
                        + "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\")\n"
                        + "template(name=\"msgonly\" type=\"string\" string=\"%msg%\\n\")\n"
                        + "*.* action(type=\"omfile\" file=\"" + output() + "\" template=\"msgonly\")\n");
    }

    @Override
    public void close() {
        stop();
        Files2.deleteTree(dir);
    }
}
