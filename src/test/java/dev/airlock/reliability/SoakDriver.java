package dev.airlock.reliability;

import dev.airlock.testing.Cli;
import dev.airlock.testing.Npm;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The soak: a fixed rate of mixed operations against a running Airlock (a separate process, whose {@code /proc}
 * entries it reads), with a real {@code npm install} now and then. Used by {@code reliability/run.sh soak} (through
 * {@link #main}) and by {@link SoakIT} (its short form). See docs/reliability.md.
 */
public final class SoakDriver {
    /** The knobs; {@link #parse} reads them from {@code --name value} arguments. */
    record Options(
            String url,
            long pid,
            long seconds,
            double rate,
            long warmupSeconds,
            long reportSeconds,
            long npmEverySeconds,
            Path work,
            double maxSlope,
            double maxGrowth,
            int fdSlack,
            int threadSlack,
            double p99Factor,
            int approvers) {}

    /** The mix: kind and weight (out of 100). Approvals equal stages, so staged versions do not pile up. */
    private static final String[] KINDS = {
        "install", "publish", "stage", "approve", "login-couch", "login-web", "token", "console", "console-login"
    };

    private static final int[] WEIGHTS = {40, 8, 5, 5, 4, 3, 15, 17, 3};

    private final Options o;
    private final PrintStream out;

    SoakDriver(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
    }

    public static void main(String[] args) {
        Options o = parse(args);
        SoakFigures.Result r = new SoakDriver(o, System.out).run();
        System.exit(r.failures().isEmpty() ? 0 : 1);
    }

    SoakFigures.Result run() {
        SoakFigures figures = new SoakFigures(o.pid(), out);
        SoakOps ops = new SoakOps(new SoakHttp(o.url()), figures);
        // each approver has one fresh code per 30 s: enough approvers for the approval rate, with room to spare
        int approvers = o.approvers() > 0
                ? o.approvers()
                : (int) Math.max(4, Math.ceil(o.rate() * WEIGHTS[3] / 100.0 * 30 * 1.6));
        out.printf(
                Locale.ROOT,
                "soak: %s, %d s at %.1f ops/s (warm-up %d s), server pid %d, %d approvers with TOTP%n",
                o.url(),
                o.seconds(),
                o.rate(),
                o.warmupSeconds(),
                o.pid(),
                approvers);
        ops.setUp(4, 8, approvers);
        out.println("soak: users and packages set up; load starts");
        out.flush();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(
                SoakFigures.MAX_CLIENT_CONNECTIONS,
                SoakFigures.MAX_CLIENT_CONNECTIONS,
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256),
                daemons("soak-"));
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(3, daemons("soak-tick-"));
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long periodMicros = (long) (1_000_000 / o.rate());
        figures.start();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        tasks.add(ticks.scheduleAtFixedRate(
                () -> {
                    String kind = pick(next.getAndIncrement());
                    try {
                        workers.execute(() -> perform(ops, kind, figures));
                    } catch (RejectedExecutionException e) {
                        dropped.incrementAndGet();
                    }
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS));
        tasks.add(ticks.scheduleAtFixedRate(figures::sample, 0, 5, TimeUnit.SECONDS));
        if (o.npmEverySeconds() > 0) {
            tasks.add(ticks.scheduleAtFixedRate(
                    () -> npmInstall(ops, figures), o.npmEverySeconds(), o.npmEverySeconds(), TimeUnit.SECONDS));
        }
        long end = o.seconds() * 1000;
        long window = 0;
        while (figures.elapsedMs() < end) {
            sleep(Math.min(1000, end - figures.elapsedMs()));
            long now = figures.elapsedMs();
            if (now - window >= o.reportSeconds() * 1000 || now >= end) {
                figures.window(window, now);
                window = now;
            }
        }
        List<String> broken = new ArrayList<>();
        for (ScheduledFuture<?> f : tasks) {
            if (f.isDone()) { // a periodic task only ends by throwing: the load, the sampler or npm stopped early
                try {
                    f.get();
                } catch (ExecutionException e) {
                    broken.add("driver: a periodic task stopped: " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        tasks.forEach(f -> f.cancel(false)); // a running npm install finishes
        ticks.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(120, TimeUnit.SECONDS) || !ticks.awaitTermination(180, TimeUnit.SECONDS)) {
                out.println("soak: operations still running after 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        figures.sample();
        out.printf(
                "soak: %d operations dropped (all 16 workers busy and 256 queued), %d approvals deferred (no"
                        + " approver had a fresh code), %d stages left pending%n",
                dropped.get(), ops.approvalsDeferred.get(), ops.pendingStages());
        if (dropped.get() > o.seconds() * o.rate() / 100) {
            broken.add("rate: " + dropped.get() + " operations dropped because the server did not keep up");
        }
        return figures.verdict(
                o.warmupSeconds() * 1000,
                o.maxSlope(),
                o.fdSlack(),
                o.threadSlack(),
                o.p99Factor(),
                o.maxGrowth(),
                broken);
    }

    /** The kind of the n-th operation: the weights spread evenly (a fixed, repeatable mix). */
    static String pick(int n) {
        int slot = (int) ((n * 37L) % 100);
        int acc = 0;
        for (int i = 0; i < KINDS.length; i++) {
            acc += WEIGHTS[i];
            if (slot < acc) {
                return KINDS[i];
            }
        }
        return KINDS[0];
    }

    private static void perform(SoakOps ops, String kind, SoakFigures figures) {
        long t = System.nanoTime();
        try {
            switch (kind) {
                case "install" -> ops.install();
                case "publish" -> ops.publish();
                case "stage" -> ops.stage();
                case "approve" -> ops.approve();
                case "login-couch" -> ops.couchLogin();
                case "login-web" -> ops.webLogin();
                case "token" -> ops.tokenUse();
                case "console" -> ops.consolePage();
                case "console-login" -> ops.consoleLogin();
                default -> throw new IllegalArgumentException(kind);
            }
        } catch (RuntimeException e) {
            figures.error(kind, t, e.toString());
        }
    }

    /** A real npm install (fresh cache, fresh directory) of a version published during the soak. */
    private void npmInstall(SoakOps ops, SoakFigures figures) {
        long t = System.nanoTime();
        SoakOps.Published p = ops.randomPublished();
        Path dir = o.work().resolve("npm-" + System.currentTimeMillis());
        try {
            Npm npm = new Npm(Files.createDirectories(dir), o.url().endsWith("/") ? o.url() : o.url() + "/");
            Cli.Result r = npm.run(dir.resolve("project"), "install", p.name() + "@" + p.version(), "--no-save");
            Path installed = dir.resolve("project/node_modules/" + p.name() + "/package.json");
            if (r.exit() != 0 || !Files.isRegularFile(installed)) {
                figures.error("npm-install", t, "npm install " + p.name() + "@" + p.version() + ": " + r);
            } else {
                figures.record("npm-install", t, true);
            }
        } catch (IOException | RuntimeException e) {
            figures.error("npm-install", t, e.toString());
        } finally {
            delete(dir);
        }
    }

    static Options parse(String... args) {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        long seconds = Long.parseLong(a.getOrDefault("seconds", "1800"));
        return new Options(
                a.getOrDefault("url", "http://127.0.0.1:4873/"),
                Long.parseLong(a.get("pid")),
                seconds,
                Double.parseDouble(a.getOrDefault("rate", "20")),
                Long.parseLong(a.getOrDefault("warmup", String.valueOf(Math.min(300, seconds / 6)))),
                Long.parseLong(a.getOrDefault("report", "60")),
                Long.parseLong(a.getOrDefault(
                        "npm-every", Files.isDirectory(Path.of("target/clients/node_modules")) ? "60" : "0")),
                Path.of(a.getOrDefault("work", System.getProperty("java.io.tmpdir"))),
                Double.parseDouble(a.getOrDefault("max-rss-slope", "1")),
                Double.parseDouble(a.getOrDefault("max-rss-growth", "0")),
                Integer.parseInt(a.getOrDefault("fd-slack", "0")),
                Integer.parseInt(a.getOrDefault("thread-slack", "0")),
                Double.parseDouble(a.getOrDefault("p99-factor", "2")),
                Integer.parseInt(a.getOrDefault("approvers", "0")));
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(1, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
