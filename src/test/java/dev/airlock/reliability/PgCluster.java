package dev.airlock.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the scenario's own (initdb in a temp directory, a free port, a socket directory of its own),
 * so that it can be restarted and crashed without touching any other server: the machine's shared test cluster keeps
 * running. Run as the {@code postgres} user when this process is root (PostgreSQL refuses root). Needs Debian's
 * postgresql package (/usr/lib/postgresql/VERSION/bin).
 */
final class PgCluster implements AutoCloseable {
    final Path dir;
    final int port;
    private final Path bin;

    private PgCluster(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** Whether PostgreSQL's server programs are installed. */
    static boolean available() {
        return binaries() != null;
    }

    /** A new cluster with user airlock/airlock and database airlock, started. */
    static PgCluster start() throws IOException {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("PostgreSQL's server programs are not installed (/usr/lib/postgresql)");
        }
        Path dir = Files.createTempDirectory("airlock-pg");
        PgCluster pg = new PgCluster(dir, freePort(), bin);
        pg.asOwner("chown", "postgres:postgres", dir.toString());
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "airlock\n", StandardCharsets.UTF_8);
        pg.asOwner("chown", "postgres:postgres", pw.toString());
        pg.run(
                bin.resolve("initdb").toString(),
                "-D",
                pg.data().toString(),
                "-U",
                "airlock",
                "--pwfile",
                pw.toString(),
                "--auth-local=trust", // the cluster's own socket directory: only this machine's users
                "--auth-host=scram-sha-256",
                "--no-sync");
        pg.ctl("start", "-w");
        pg.run(
                bin.resolve("psql").toString(),
                "-h",
                dir.toString(),
                "-p",
                "" + pg.port,
                "-U",
                "airlock",
                "-d",
                "postgres",
                "-c",
                "CREATE DATABASE airlock");
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/airlock?user=airlock&password=airlock";
    }

    /** {@code pg_ctl restart}: {@code fast} rolls back and closes every session; {@code immediate} is a crash. */
    void restart(String mode) {
        ctl("restart", "-w", "-m", mode);
    }

    void stop(String mode) {
        ctl("stop", "-w", "-m", mode);
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void ctl(String action, String... more) {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pg_ctl").toString(),
                action,
                "-D",
                data().toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"));
        cmd.addAll(List.of(more));
        run(cmd.toArray(String[]::new));
    }

    /** Runs a PostgreSQL program as the cluster's owner; throws with its output when it fails. */
    private void run(String... cmd) {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(cmd));
        exec(full);
    }

    private void asOwner(String... cmd) {
        if (root()) {
            exec(List.of(cmd));
        }
    }

    private static void exec(List<String> cmd) {
        try {
            // output to a file, not a pipe: the server pg_ctl starts would hold a pipe open for as long as it runs
            Path out = Files.createTempFile("airlock-pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            String.join(" ", cmd) + " failed:\n" + Files.readString(out, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static Path binaries() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(
                            b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            stop("immediate");
        } catch (RuntimeException e) {
            // already stopped
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory: left for the system to clean
        }
    }
}
