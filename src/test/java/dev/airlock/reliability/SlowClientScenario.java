package dev.airlock.reliability;

import dev.airlock.reliability.FaultUsers.Sent;
import dev.airlock.reliability.FaultUsers.User;
import dev.airlock.testing.Http;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Slow and hostile clients against one server (short limits: {@code server.limits.idleTimeout} = {@code idle} s, the
 * default minimum body rate of 1 KiB/s) while a normal client reads a packument and a tarball in a loop: slowloris
 * connections trickling header lines, publish bodies sent at 4 bytes/s, thousands of idle connections, and a client
 * reading a 1 MiB tarball at 1 KiB/s. Criteria: the normal client sees no error and its p99 during the attack stays
 * within max(5 × baseline p99, baseline p99 + 50 ms) (a server whose threads the attackers hold fails it: requests
 * queue for seconds); every slow body is answered or closed within idle + 5 s; every idle connection, and every
 * slowloris once it stops, is closed within idle + 5 s; a 20 KiB header is refused (431); the slow reader is not cut
 * off (still receiving when the attack ends; with {@code whole}, it gets every byte of the tarball).
 *
 * <p>Standalone: {@code reliability/slow.sh [--idle-seconds N] [--attack-seconds N] [--idle-connections N]
 * [--slowloris N] [--slow-bodies N] [--whole]}.
 */
final class SlowClientScenario {
    record Options(
            int idleSeconds, int attackSeconds, int idleConnections, int slowloris, int slowBodies, boolean whole) {}

    private final Path work;
    private final Options o;
    private final PrintStream out;
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    SlowClientScenario(Path work, Options options, PrintStream out) {
        this.work = work;
        this.o = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int idle = 5;
        int attack = 30;
        int conns = 5000;
        int loris = 500;
        int bodies = 50;
        boolean whole = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--idle-seconds" -> idle = Integer.parseInt(args[++i]);
                case "--attack-seconds" -> attack = Integer.parseInt(args[++i]);
                case "--idle-connections" -> conns = Integer.parseInt(args[++i]);
                case "--slowloris" -> loris = Integer.parseInt(args[++i]);
                case "--slow-bodies" -> bodies = Integer.parseInt(args[++i]);
                case "--whole" -> whole = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("airlock-slow");
        boolean ok = new SlowClientScenario(work, new Options(idle, attack, conns, loris, bodies, whole), System.out)
                .run()
                .isEmpty();
        System.out.println(ok ? "PASS slow" : "FAIL slow (server log: " + work.resolve("server.log") + ")");
        System.exit(ok ? 0 : 1);
    }

    List<String> run() throws Exception {
        int idleConnections = o.idleConnections();
        long fdLimit = SlowSockets.openFileLimit();
        long need = idleConnections + o.slowloris() + 1000L;
        if (fdLimit > 0 && fdLimit < need) {
            idleConnections = (int) Math.max(0, fdLimit - o.slowloris() - 1000);
            out.printf(
                    "slow: ulimit -n is %d (need %d for %d idle connections): only %d idle connections;"
                            + " raise it with `ulimit -n %d` first%n",
                    fdLimit, need, o.idleConnections(), idleConnections, need);
        }
        long idleMs = o.idleSeconds() * 1000L;
        long closeBound = idleMs + 5000;
        try (FaultServer server = new FaultServer(work)) {
            server.env("AIRLOCK_SERVER_LIMITS_IDLE_TIMEOUT", "PT" + o.idleSeconds() + "S");
            server.start();
            Http http = server.http();
            User u = FaultUsers.signUp(http, "slow-pub");
            Sent small = FaultUsers.body("slow-small", "1.0.0", 4096);
            Sent big = FaultUsers.body("slow-big", "1.0.0", 1 << 20);
            for (Sent s : List.of(small, big)) {
                Http.Response r = http.put(s.name(), u.token(), s.json());
                FaultUsers.require(r.status() == 201, "publish " + s.name() + ": " + r.status() + " " + r.body());
            }
            String smallTarball = tarballPath(http, small);
            String bigTarball = tarballPath(http, big);
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            List<URI> reads = List.of(
                    URI.create(server.url() + small.name()), URI.create(server.url() + smallTarball.substring(1)));
            Latencies warm = new Latencies(); // the JIT first: a cold baseline would make the bound loose
            while (warm.count() < 2000) {
                warm.read(client, reads.get(warm.count() % 2));
            }
            Latencies base = new Latencies();
            long t0 = System.nanoTime();
            while (base.count() < 400 || System.nanoTime() - t0 < 3_000_000_000L) {
                base.read(client, reads.get(base.count() % 2));
            }
            out.printf("slow: baseline (quiet server): %s%n", base);
            expect(
                    base.errors() == 0,
                    "the normal client saw " + base.errors() + " errors before the attack: " + base.firstError);
            double bound = Math.max(5 * base.p(99), base.p(99) + 50);

            InetSocketAddress addr = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.port);
            // a head over maxHeaderBytes (16 KiB) is refused
            String big431 = SlowSockets.oversizedHead(addr, 20 * 1024);
            out.println("  20 KiB request head: " + big431);
            expect(big431.startsWith("HTTP/1.1 431"), "a 20 KiB head answers 431: " + big431);

            SlowSockets.Watcher idle = new SlowSockets.Watcher();
            long opened = SlowSockets.openIdle(addr, idleConnections, idle);
            long attackEnd = System.nanoTime() + o.attackSeconds() * 1_000_000_000L;
            SlowSockets.Loris loris = new SlowSockets.Loris(addr, o.slowloris(), attackEnd);
            loris.start();
            List<SlowSockets.Body> bodies = new ArrayList<>();
            for (int i = 0; i < o.slowBodies(); i++) {
                SlowSockets.Body b = new SlowSockets.Body(addr, "slow-body-" + i, u.token(), idleMs * 3);
                b.start();
                bodies.add(b);
            }
            SlowSockets.Reader reader = new SlowSockets.Reader(addr, bigTarball, big.tgz(), 1024, attackEnd, o.whole());
            reader.start();
            out.printf(
                    "  attack: %d idle connections opened in %d ms, %d slowloris, %d slow bodies, 1 reader at 1 KiB/s"
                            + " for %d s (idleTimeout PT%dS, minRequestBytesPerSecond 1024)%n",
                    idle.size(), opened, o.slowloris(), o.slowBodies(), o.attackSeconds(), o.idleSeconds());
            Latencies during = new Latencies();
            while (System.nanoTime() < attackEnd) {
                during.read(client, reads.get(during.count() % 2));
            }
            out.printf("  normal client during the attack: %s (bound p99 ≤ %.1f ms)%n", during, bound);
            expect(during.errors() == 0, "the normal client saw " + during.errors() + " errors: " + during.firstError);
            expect(
                    during.p(99) <= bound,
                    String.format("p99 during the attack %.1f ms > %.1f ms", during.p(99), bound));

            idle.await(closeBound + 2000);
            out.printf("  idle connections: %s (bound %d ms)%n", idle.summary(), closeBound);
            expect(idle.open() == 0, idle.open() + " idle connections still open after " + closeBound + " ms");
            expect(idle.maxMs() <= closeBound, "an idle connection lived " + idle.maxMs() + " ms");

            SlowSockets.Watcher lorisAfter = loris.stopAndWatch();
            lorisAfter.await(closeBound + 2000);
            out.printf(
                    "  slowloris: %d of %d still open when the attack ended; after they stopped: %s%n",
                    loris.openAtEnd(), o.slowloris(), lorisAfter.summary());
            expect(lorisAfter.open() == 0, lorisAfter.open() + " slowloris connections open after they stopped");

            List<Long> cut = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            for (SlowSockets.Body b : bodies) {
                b.join(idleMs * 3 + 10_000);
                cut.add(b.cutMs);
                if (!answers.contains(b.answer)) {
                    answers.add(b.answer);
                }
                expect(b.cutMs >= 0 && b.cutMs <= closeBound, "a slow body was cut after " + b.cutMs + " ms");
                // 408 with the error sentence, or the connection closed when the answer could not be written
                expect(
                        b.answer.startsWith("HTTP/1.1 408") || b.answer.equals("closed"),
                        "a slow body was answered " + b.answer + " (expected 408)");
            }
            Collections.sort(cut);
            out.printf(
                    "  slow bodies (4 B/s): cut after %s ms; answers %s%n",
                    cut.isEmpty() ? "[]" : cut.get(0) + ".." + cut.get(cut.size() - 1), answers);

            reader.join(o.whole() ? 3_600_000 : 30_000);
            out.printf("  slow reader: %s%n", reader.summary());
            expect(reader.problem == null, "slow reader: " + reader.problem);
            expect(http.get(big.name(), null).status() == 200, "server answers after the attack");
            server.stop();
        }
        out.printf("  failed criteria: %d%n", failures.size());
        failures.forEach(f -> out.println("  FAIL " + f));
        return failures;
    }

    private static String tarballPath(Http http, Sent s) {
        String url = http.get(s.name(), null)
                .json()
                .path("versions")
                .path(s.version())
                .path("dist")
                .path("tarball")
                .asText();
        return URI.create(url).getRawPath();
    }

    private void expect(boolean ok, String what) {
        if (!ok) {
            failures.add(what);
        }
    }

    /** The normal client's request latencies and errors. */
    static final class Latencies {
        private final List<Double> ms = new ArrayList<>();
        private int errors;
        String firstError;

        void read(HttpClient client, URI uri) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<byte[]> r = client.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    error(uri + ": " + r.statusCode());
                }
            } catch (IOException e) {
                error(uri + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            ms.add((System.nanoTime() - t0) / 1e6);
        }

        private void error(String what) {
            errors++;
            if (firstError == null) {
                firstError = what;
            }
        }

        int count() {
            return ms.size();
        }

        int errors() {
            return errors;
        }

        double p(int pct) {
            List<Double> s = new ArrayList<>(ms);
            Collections.sort(s);
            return s.isEmpty() ? 0 : s.get(Math.min(s.size() - 1, (int) Math.ceil(pct / 100.0 * s.size()) - 1));
        }

        @Override
        public String toString() {
            return String.format(
                    "%d reads, %d errors, p50 %.2f ms, p99 %.2f ms, max %.1f ms",
                    ms.size(), errors, p(50), p(99), p(100));
        }
    }
}
