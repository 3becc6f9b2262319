package dev.airlock.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * What a soak measures: every operation's latency and outcome (by kind, with its time), and the server process's
 * resident memory, open file descriptors and threads read from {@code /proc/PID} every few seconds. Prints a block
 * per window and a final summary; {@link #verdict} applies the criteria.
 */
final class SoakFigures {
    /** One finished operation: kind, start and end (ms since the soak started), latency (µs), as expected or not. */
    record Op(String kind, long atMs, long endMs, long micros, boolean ok) {}

    /** One reading of the server process: descriptors other than sockets ({@code fds}) and sockets apart. */
    record Sample(long atMs, double rssMiB, int fds, int sockets, int threads) {}

    /** The figures of a finished soak, and which criteria failed (empty when all held). */
    record Result(
            long ops,
            long errors,
            double rssSlopeMiBPer10Min,
            double rssGrowthMiB,
            int fdGrowth,
            int socketGrowth,
            int threadGrowth,
            Map<String, double[]> p99FirstLast,
            List<String> failures) {}

    private volatile long started = System.currentTimeMillis();
    /**
     * The most connections the driver holds open (its workers; the real npm install closes its own): its client keeps
     * idle connections, so the server's socket floor may rise by that much without a leak.
     */
    static final int MAX_CLIENT_CONNECTIONS = 16;

    private final long pid;
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final PrintStream out;

    SoakFigures(long pid, PrintStream out) {
        this.pid = pid;
        this.out = out;
    }

    /** The server's threads by name (digits dropped) when the load started, to say at the end which ones grew. */
    private Map<String, Integer> threadsAtStart = Map.of();

    /** The load starts: times count from now. */
    void start() {
        started = System.currentTimeMillis();
        threadsAtStart = threadNames();
    }

    /** The server's thread names ({@code /proc/PID/task/N/comm}, digits dropped) and how many of each. */
    private Map<String, Integer> threadNames() {
        Map<String, Integer> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    names.merge(Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    long elapsedMs() {
        return System.currentTimeMillis() - started;
    }

    void record(String kind, long startNanos, boolean ok) {
        long micros = (System.nanoTime() - startNanos) / 1000;
        long end = elapsedMs();
        ops.add(new Op(kind, end - micros / 1000, end, micros, ok));
    }

    /** An operation whose answer was not the expected one: counted, and its first lines kept for the report. */
    void error(String kind, long startNanos, String what) {
        record(kind, startNanos, false);
        if (errors.size() < 200) {
            errors.add(String.format(Locale.ROOT, "%7.1f s  %-12s %s", elapsedMs() / 1000.0, kind, abbreviate(what)));
        }
        out.println("ERROR " + kind + ": " + abbreviate(what));
    }

    /** Reads VmRSS, Threads (less the JIT's compiler threads) and the number of open descriptors of the server. */
    void sample() {
        try {
            double rssKiB = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKiB = Double.parseDouble(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
            int fds = 0;
            int sockets = 0;
            try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : (Iterable<Path>) s::iterator) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException closed) {
                        continue; // closed while listed
                    }
                    if (target.startsWith("socket:")) {
                        sockets++;
                    } else {
                        fds++;
                    }
                }
            }
            samples.add(new Sample(elapsedMs(), rssKiB / 1024, fds, sockets, threads - compilerThreads()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + " (has the server exited?)", e);
        }
    }

    /**
     * The JIT's compiler threads, which the JVM starts and stops as compilation work comes and goes: not the
     * server's threads, so not counted in the thread figures.
     */
    private int compilerThreads() throws IOException {
        int n = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).matches("(?s)C[12] CompilerThre.*")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
        }
        return n;
    }

    /** The block printed at the end of each window: ops/s, p50 and p99 per kind, and the process's last reading. */
    void window(long fromMs, long toMs) {
        List<Op> in = ops.stream()
                .filter(o -> o.endMs() >= fromMs && o.endMs() < toMs)
                .toList();
        Sample last = samples.stream().reduce((a, b) -> b).orElse(null);
        double secs = (toMs - fromMs) / 1000.0;
        out.printf(
                Locale.ROOT,
                "-- %5.0f s  %6.1f ops/s  errors %d  rss %s MiB  fds %s (+ %s sockets)  threads %s%n",
                toMs / 1000.0,
                in.size() / secs,
                in.stream().filter(o -> !o.ok()).count(),
                last == null ? "?" : String.format(Locale.ROOT, "%.1f", last.rssMiB()),
                last == null ? "?" : last.fds(),
                last == null ? "?" : last.sockets(),
                last == null ? "?" : last.threads());
        table(in, secs);
        out.flush();
    }

    private void table(List<Op> in, double secs) {
        Map<String, List<Op>> byKind = new TreeMap<>();
        in.forEach(o -> byKind.computeIfAbsent(o.kind(), k -> new ArrayList<>()).add(o));
        out.printf(Locale.ROOT, "   %-14s %7s %7s %7s %9s %9s%n", "kind", "n", "ops/s", "errors", "p50 ms", "p99 ms");
        byKind.forEach((kind, list) -> {
            long[] l = micros(list);
            out.printf(
                    Locale.ROOT,
                    "   %-14s %7d %7.2f %7d %9.1f %9.1f%n",
                    kind,
                    list.size(),
                    list.size() / secs,
                    list.stream().filter(o -> !o.ok()).count(),
                    pct(l, 50) / 1000.0,
                    pct(l, 99) / 1000.0);
        });
    }

    /**
     * The summary and the criteria, over the samples and operations after {@code warmupMs}: zero errors; the least
     * squares slope of RSS under {@code maxSlope} MiB per 10 minutes (when {@code maxSlope} > 0); the lowest counts of
     * descriptors other than sockets and of threads of the last third of the run at most {@code fdSlack}/{@code threadSlack} above those of the first
     * third (the lowest, because connections and pool threads come and go with the load: a leak raises the floor);
     * each kind's p99 in the last third at most {@code p99Factor} × the first third's + 20 ms (when p99Factor > 0 and
     * the kind has at least 50 operations in each third); and whatever the driver itself saw fail.
     */
    Result verdict(
            long warmupMs,
            double maxSlope,
            int fdSlack,
            int threadSlack,
            double p99Factor,
            double maxGrowth,
            List<String> driverFailures) {
        long end = elapsedMs();
        List<Op> all = List.copyOf(ops);
        long errorCount = all.stream().filter(o -> !o.ok()).count();
        out.printf(Locale.ROOT, "== summary: %.0f s, warm-up %.0f s%n", end / 1000.0, warmupMs / 1000.0);
        table(all, end / 1000.0);
        List<Sample> after = samples.stream().filter(s -> s.atMs() >= warmupMs).toList();
        List<String> failures = new ArrayList<>(driverFailures);
        if (errorCount > 0) {
            failures.add("errors: " + errorCount + " operations did not get the expected answer");
            out.println("first errors:");
            errors.stream().limit(20).forEach(e -> out.println("  " + e));
        }
        double slope = Double.NaN;
        double growth = Double.NaN;
        int fdGrowth = 0;
        int socketGrowth = 0;
        int threadGrowth = 0;
        if (after.size() >= 6) {
            slope = slopePerMs(after) * 600_000;
            growth = after.get(after.size() - 1).rssMiB() - after.get(0).rssMiB();
            int third = after.size() / 3;
            List<Sample> first = after.subList(0, third);
            List<Sample> last = after.subList(after.size() - third, after.size());
            fdGrowth = min(last, Sample::fds) - min(first, Sample::fds);
            socketGrowth = min(last, Sample::sockets) - min(first, Sample::sockets);
            threadGrowth = min(last, Sample::threads) - min(first, Sample::threads);
            out.printf(
                    Locale.ROOT,
                    "process after warm-up: rss %.1f -> %.1f MiB (slope %.2f MiB/10 min, %d samples),"
                            + " fds floor %d -> %d, sockets floor %d -> %d, threads floor %d -> %d%n",
                    after.get(0).rssMiB(),
                    after.get(after.size() - 1).rssMiB(),
                    slope,
                    after.size(),
                    min(first, Sample::fds),
                    min(last, Sample::fds),
                    min(first, Sample::sockets),
                    min(last, Sample::sockets),
                    min(first, Sample::threads),
                    min(last, Sample::threads));
            if (maxSlope > 0 && slope >= maxSlope) {
                failures.add(
                        String.format(Locale.ROOT, "rss: slope %.2f MiB per 10 minutes, limit %.2f", slope, maxSlope));
            }
            if (maxGrowth > 0 && growth >= maxGrowth) {
                failures.add(
                        String.format(Locale.ROOT, "rss: grew %.1f MiB after warm-up, limit %.1f", growth, maxGrowth));
            }
            if (fdGrowth > fdSlack) {
                failures.add("fds: the floor of open descriptors grew by " + fdGrowth + " (allowed " + fdSlack + ")");
            }
            if (socketGrowth > MAX_CLIENT_CONNECTIONS) {
                failures.add("sockets: the floor of open sockets grew by " + socketGrowth + ", more than the "
                        + MAX_CLIENT_CONNECTIONS + " connections the driver can hold open");
            }
            if (threadGrowth > threadSlack) {
                failures.add(
                        "threads: the floor of threads grew by " + threadGrowth + " (allowed " + threadSlack + ")");
            }
        } else {
            failures.add("too few process samples after warm-up (" + after.size() + "): run longer");
        }
        Map<String, Integer> threadsNow = threadNames();
        java.util.Set<String> names = new java.util.TreeSet<>(threadsNow.keySet());
        names.addAll(threadsAtStart.keySet());
        StringBuilder changed = new StringBuilder();
        for (String n : names) {
            int was = threadsAtStart.getOrDefault(n, 0);
            int now = threadsNow.getOrDefault(n, 0);
            if (was != now) {
                changed.append(String.format(Locale.ROOT, "  %s %d -> %d;", n, was, now));
            }
        }
        out.println("server threads by name, load start -> end:" + (changed.length() == 0 ? " unchanged" : changed));
        Map<String, double[]> p99s = p99s(all, warmupMs, end);
        p99s.forEach((kind, fl) -> {
            out.printf(Locale.ROOT, "p99 %-14s first third %8.1f ms, last third %8.1f ms%n", kind, fl[0], fl[1]);
            if (p99Factor > 0 && fl[1] > p99Factor * fl[0] + 20) {
                failures.add(String.format(
                        Locale.ROOT,
                        "p99 of %s: %.1f ms in the last third against %.1f ms in the first (limit %.1f x + 20 ms)",
                        kind,
                        fl[1],
                        fl[0],
                        p99Factor));
            }
        });
        failures.forEach(f -> out.println("FAIL " + f));
        if (failures.isEmpty()) {
            out.println("PASS every criterion held");
        }
        out.flush();
        return new Result(all.size(), errorCount, slope, growth, fdGrowth, socketGrowth, threadGrowth, p99s, failures);
    }

    /** p99 of each kind in the first and the last third after warm-up (kinds with ≥ 50 operations in each). */
    private static Map<String, double[]> p99s(List<Op> all, long warmupMs, long end) {
        long third = (end - warmupMs) / 3;
        Map<String, double[]> r = new TreeMap<>();
        all.stream().map(Op::kind).distinct().forEach(kind -> {
            long[] first = micros(all.stream()
                    .filter(o -> o.kind().equals(kind) && o.atMs() >= warmupMs && o.atMs() < warmupMs + third)
                    .toList());
            long[] last = micros(all.stream()
                    .filter(o -> o.kind().equals(kind) && o.atMs() >= end - third)
                    .toList());
            if (first.length >= 50 && last.length >= 50) {
                r.put(kind, new double[] {pct(first, 99) / 1000.0, pct(last, 99) / 1000.0});
            }
        });
        return r;
    }

    /** Least-squares slope of RSS (MiB) against time (ms). */
    static double slopePerMs(List<Sample> s) {
        double n = s.size();
        double mx = s.stream().mapToDouble(Sample::atMs).sum() / n;
        double my = s.stream().mapToDouble(Sample::rssMiB).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (Sample x : s) {
            sxy += (x.atMs() - mx) * (x.rssMiB() - my);
            sxx += (x.atMs() - mx) * (x.atMs() - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    private static int min(List<Sample> s, java.util.function.ToIntFunction<Sample> f) {
        return s.stream().mapToInt(f).min().orElse(0);
    }

    private static long[] micros(List<Op> list) {
        long[] l = list.stream().mapToLong(Op::micros).toArray();
        Arrays.sort(l);
        return l;
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }
}
