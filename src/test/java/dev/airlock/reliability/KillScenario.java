package dev.airlock.reliability;

import dev.airlock.reliability.FaultLedger.Attempt;
import dev.airlock.reliability.FaultLedger.Kind;
import dev.airlock.reliability.FaultUsers.Sent;
import dev.airlock.reliability.FaultUsers.User;
import dev.airlock.testing.Http;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGKILL at random points while clients publish, stage and approve (with TOTP), then a restart on the same data, N
 * times. After each restart: every acknowledged write is there whole, every unacknowledged one is wholly there or
 * wholly absent, and every listed version has its tarball. At the end, with the server stopped: the orphan sweep
 * ({@code ./airlock blobs sweep --grace PT0S}) leaves no blob no version refers to and no unfinished write, SQLite's
 * integrity check passes and the audit log verifies ({@code ./airlock audit verify}).
 *
 * <p>Standalone: {@code reliability/kill.sh [--rounds N]}; short form: KillIT.
 */
final class KillScenario {
    private final Path work;
    private final int rounds;
    private final PrintStream out;
    private final Random random = new Random();
    private final FaultLedger ledger = new FaultLedger();
    private final ConcurrentLinkedQueue<Attempt> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger versions = new AtomicInteger();
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> restarts = new ArrayList<>();
    private User publisher;
    private final List<User> approvers = new ArrayList<>();

    KillScenario(Path work, int rounds, PrintStream out) {
        this.work = work;
        this.rounds = rounds;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 50;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            }
        }
        Path work = Files.createTempDirectory("airlock-kill");
        boolean ok = new KillScenario(work, rounds, System.out).run().isEmpty();
        System.out.println(ok ? "PASS kill" : "FAIL kill (server log: " + work.resolve("server.log") + ")");
        System.exit(ok ? 0 : 1);
    }

    /** Runs the rounds; returns the failed criteria (empty when all hold). */
    List<String> run() {
        List<String> failures = new ArrayList<>();
        try (FaultServer server = new FaultServer(work)) {
            restarts.add(server.start());
            setUp(server.http());
            for (int round = 1; round <= rounds; round++) {
                int r = round;
                Http http = server.http();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = List.of(
                        client("publish", stop, () -> publish(http)),
                        client("stage", stop, () -> stage(http)),
                        client("approve", stop, () -> approve(http)));
                FaultServer.pause(200 + random.nextInt(2300));
                server.kill();
                stop.set(true);
                for (Thread t : clients) {
                    join(t);
                }
                restarts.add(server.start());
                List<String> problems = ledger.check(server.http());
                problems.forEach(p -> failures.add("round " + r + ": " + p));
                if (round % 10 == 0 || round == rounds) {
                    out.printf(
                            "round %d/%d: %d writes so far, %d problems%n",
                            round, rounds, ledger.attempts().size(), failures.size());
                }
            }
            server.stop();
            failures.addAll(FaultChecks.afterStop(server, out));
        }
        failures.addAll(unexpected);
        report(failures);
        return failures;
    }

    private void setUp(Http http) {
        publisher = FaultUsers.signUp(http, "kill-pub");
        for (int i = 0; i < 4; i++) {
            User u = FaultUsers.signUp(http, "kill-appr" + i);
            Sent first = FaultUsers.body(stagedPackage(u), "1.0.0", 1024);
            Http.Response r = http.put(first.name(), u.token(), first.json());
            FaultUsers.require(r.status() / 100 == 2, "first publish of " + first.name() + ": " + r.body());
            approvers.add(FaultUsers.enableTotp(http, u));
        }
    }

    private static String stagedPackage(User u) {
        return "kill-staged-" + u.name();
    }

    private void publish(Http http) {
        Sent s = FaultUsers.body("kill-published", "1.0." + versions.incrementAndGet(), 32 * 1024 + random(96 * 1024));
        Attempt a = ledger.add(Kind.PUBLISH, s, publisher.token(), null);
        Http.Response r = http.put(s.name(), publisher.token(), s.json());
        answer(a, r, 200, 201);
    }

    private void stage(Http http) {
        User u = approvers.get(versions.get() % approvers.size());
        Sent s = FaultUsers.body(stagedPackage(u), "1.1." + versions.incrementAndGet(), 32 * 1024 + random(96 * 1024));
        Attempt a = ledger.add(Kind.STAGE, s, u.token(), null);
        Http.Response r = http.send("POST", "-/stage/package/" + s.name(), u.token(), s.json());
        if (answer(a, r, 201)) {
            a.stageId = r.json().path("stageId").asText();
            pending.add(a);
        }
    }

    private void approve(Http http) {
        Attempt staged = pending.poll();
        if (staged == null) {
            FaultServer.pause(20);
            return;
        }
        User u = approvers.stream()
                .filter(x -> x.token().equals(staged.token))
                .findFirst()
                .orElseThrow();
        String code = u.codes().tryNext();
        if (code == null) {
            pending.add(staged); // this approver used the window's codes: try another stage
            FaultServer.pause(20);
            return;
        }
        Attempt a = ledger.add(Kind.APPROVE, staged.sent, u.token(), staged.stageId);
        Http.Response r = http.send("POST", "-/stage/" + staged.stageId + "/approve", u.token(), null, "npm-otp", code);
        answer(a, r, 200);
    }

    private boolean answer(Attempt a, Http.Response r, int... ok) {
        for (int s : ok) {
            if (r.status() == s) {
                a.acked = true;
                return true;
            }
        }
        unexpected.add(a.kind + " " + a.sent.name() + "@" + a.sent.version() + " -> " + r.status() + " " + r.body());
        return false;
    }

    /** A client that repeats its write until the server dies under it (the request then has no answer). */
    private static Thread client(String name, AtomicBoolean stop, Runnable write) {
        Thread t = new Thread(
                () -> {
                    try {
                        while (!stop.get()) {
                            write.run();
                        }
                    } catch (RuntimeException e) {
                        // the connection died with the server: this write is unacknowledged
                    }
                },
                "kill-" + name);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int random(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private void report(List<String> failures) {
        List<Long> sorted = new ArrayList<>(restarts);
        Collections.sort(sorted);
        out.printf("kill: %d rounds of SIGKILL during publish, stage and approve%n", rounds);
        for (Kind k : Kind.values()) {
            int[] un = ledger.unackedOutcomes.getOrDefault(k, new int[2]);
            out.printf(
                    "  %-8s acknowledged %4d   unacknowledged %3d (wholly there %d, wholly absent %d)%n",
                    k.name().toLowerCase(java.util.Locale.ROOT),
                    ledger.count(k, true),
                    ledger.count(k, false),
                    un[0],
                    un[1]);
        }
        out.printf(
                "  restart to ready: p50 %d ms, max %d ms%n",
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        out.printf("  failed criteria: %d%n", failures.size());
        failures.stream().limit(20).forEach(f -> out.println("  FAIL " + f));
    }
}
