package dev.airlock.reliability;

import dev.airlock.reliability.FaultLedger.Attempt;
import dev.airlock.reliability.FaultLedger.Kind;
import dev.airlock.reliability.FaultUsers.Sent;
import dev.airlock.reliability.FaultUsers.User;
import dev.airlock.testing.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data directory on a small tmpfs, filled to the last byte while the server runs: publishes fail with 507 and a
 * sentence saying the disk is full, nothing partial is stored, reads go on; once the filler file is deleted the same
 * publishes succeed without a restart. Needs {@code mount} (root).
 *
 * <p>Standalone: {@code reliability/disk.sh}; short form: DiskFullIT.
 */
final class DiskFullScenario {
    static final String MOUNT_SIZE = "96m";
    private final Path work;
    private final PrintStream out;
    private final FaultLedger ledger = new FaultLedger();

    DiskFullScenario(Path work, PrintStream out) {
        this.work = work;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("airlock-disk");
        boolean ok = new DiskFullScenario(work, System.out).run().isEmpty();
        System.out.println(ok ? "PASS disk" : "FAIL disk (server log: " + work.resolve("server.log") + ")");
        System.exit(ok ? 0 : 1);
    }

    /** Whether this process may mount a tmpfs (root, and a container that allows it). */
    static boolean canMount(Path work) {
        Path probe = work.resolve("probe");
        try {
            Files.createDirectories(probe);
            return sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString()) == 0
                    && sh("umount", probe.toString()) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    List<String> run() throws IOException {
        List<String> failures = new ArrayList<>();
        Path mnt = work.resolve("mnt");
        Files.createDirectories(mnt);
        if (sh("mount", "-t", "tmpfs", "-o", "size=" + MOUNT_SIZE, "tmpfs", mnt.toString()) != 0) {
            return List.of("cannot mount a tmpfs on " + mnt + " (run as root, or in a container that allows mount)");
        }
        try (FaultServer server = new FaultServer(work, mnt.resolve("data"))) {
            server.start();
            Http http = server.http();
            User u = FaultUsers.signUp(http, "disk-pub");
            Sent first = FaultUsers.body("disk-full", "1.0.0", 64 * 1024);
            expect(http.put(first.name(), u.token(), first.json()).status() == 201, "the first publish", failures);
            ledger.add(Kind.PUBLISH, first, u.token(), null).acked = true;

            long filled = fill(mnt.resolve("filler"));
            out.printf(
                    "disk: tmpfs of %s, filled with %d MiB; free now %d KiB%n",
                    MOUNT_SIZE, filled >> 20, Files.getFileStore(mnt).getUsableSpace() >> 10);
            List<String> answers = new ArrayList<>();
            // small bodies, and one over 1 MiB, which is spooled to DATA/tmp while it is decoded
            for (int i = 1; i <= 5; i++) {
                Sent s = FaultUsers.body("disk-full", "1.0." + i, i == 1 ? 512 : i == 5 ? 2 << 20 : 256 * 1024);
                Attempt a = ledger.add(Kind.PUBLISH, s, u.token(), null);
                Http.Response r = http.put(s.name(), u.token(), s.json());
                a.acked = r.status() / 100 == 2;
                answers.add(r.status() + " " + r.error());
                expect(
                        r.status() == 507,
                        "publish on a full disk answers 507: " + r.status() + " " + r.body(),
                        failures);
                expect(r.error().contains("disk is full"), "the error says the disk is full: " + r.body(), failures);
            }
            out.println("  publishes on the full disk: " + answers.get(0) + " (" + answers.size() + " tries)");
            // reads go on: the packument (only 1.0.0) and its tarball, byte for byte
            Http.Response doc = http.get("disk-full", null);
            expect(
                    doc.status() == 200 && doc.json().path("versions").size() == 1,
                    "packument on a full disk: " + doc.status(),
                    failures);
            expect(
                    FaultLedger.wholeTarball(http, doc.json().path("versions").path("1.0.0")) == null,
                    "tarball read on a full disk",
                    failures);
            expect(http.get("-/ping", null).status() == 200, "ping on a full disk", failures);
            ledger.check(http).forEach(p -> failures.add("full disk: " + p));
            List<Path> parts = FaultChecks.files(server.data.resolve("blobs").resolve("tmp"));
            expect(parts.isEmpty(), "no unfinished blob write left by the refused publishes: " + parts, failures);

            Files.delete(mnt.resolve("filler"));
            long t0 = System.nanoTime();
            int recovered = 0;
            for (int i = 1; i <= 4; i++) {
                Sent s = FaultUsers.body("disk-full", "1.1." + i, 256 * 1024);
                Attempt a = ledger.add(Kind.PUBLISH, s, u.token(), null);
                Http.Response r = http.put(s.name(), u.token(), s.json());
                a.acked = r.status() == 201;
                expect(a.acked, "publish once space returned (no restart): " + r.status() + " " + r.body(), failures);
                recovered += a.acked ? 1 : 0;
            }
            out.printf(
                    "  after freeing space: %d/4 publishes succeeded in %d ms, no restart%n",
                    recovered, (System.nanoTime() - t0) / 1_000_000);
            ledger.check(http).forEach(p -> failures.add("after recovery: " + p));
            server.stop();
            failures.addAll(FaultChecks.afterStop(server, out));
        } finally {
            sh("umount", "-l", mnt.toString());
        }
        out.printf("  failed criteria: %d%n", failures.size());
        failures.forEach(f -> out.println("  FAIL " + f));
        return failures;
    }

    /** Writes a file until the filesystem refuses more; returns its size. */
    private static long fill(Path file) throws IOException {
        long n = 0;
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream o = Files.newOutputStream(file)) {
            while (true) {
                o.write(chunk);
                n += chunk.length;
            }
        } catch (IOException e) {
            // ENOSPC: full (the last partial chunk may be cut)
        }
        try (OutputStream o = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                o.write(0);
                o.flush();
                n++;
            }
        } catch (IOException e) {
            return n;
        }
    }

    private static void expect(boolean ok, String what, List<String> failures) {
        if (!ok) {
            failures.add(what);
        }
    }

    static int sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
