package dev.airlock.reliability;

import dev.airlock.reliability.FaultLedger.Attempt;
import dev.airlock.reliability.FaultLedger.Kind;
import dev.airlock.reliability.FaultUsers.Sent;
import dev.airlock.reliability.FaultUsers.User;
import dev.airlock.testing.Http;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL restarts under load: three clients publish and one reads while the database server is restarted, in
 * turn gracefully ({@code pg_ctl restart -m fast}) and as a crash ({@code -m immediate}). Every answer is a success or
 * a {@code 503} saying the database cannot be reached (never a 500, never a hang); the registry recovers by itself
 * (publishes succeed again without restarting Airlock); nothing acknowledged is lost, nothing is partial; after the
 * orphan sweep no blob is left without a version, and the audit log verifies. The PostgreSQL server is the scenario's
 * own ({@link PgCluster}).
 *
 * <p>Standalone: {@code reliability/pg.sh [--rounds N]} (default 6).
 */
final class PgRestartScenario {
    private static final int CLIENTS = 3;
    private final Path work;
    private final int rounds;
    private final PrintStream out;

    PgRestartScenario(Path work, int rounds, PrintStream out) {
        this.work = work;
        this.rounds = rounds;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 6;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            }
        }
        Path work = Files.createTempDirectory("airlock-pg-restart");
        boolean ok = new PgRestartScenario(work, rounds, System.out).run().isEmpty();
        System.out.println(ok ? "PASS pg" : "FAIL pg (server log: " + work.resolve("server.log") + ")");
        System.exit(ok ? 0 : 1);
    }

    List<String> run() throws Exception {
        List<String> failures = new ArrayList<>();
        FaultLedger ledger = new FaultLedger();
        try (PgCluster pg = PgCluster.start();
                FaultServer server = new FaultServer(work)) {
            server.env("AIRLOCK_DATABASE_URL", pg.url());
            server.start();
            Http http = server.http();
            User u = FaultUsers.signUp(http, "pg-pub");
            AtomicInteger next = new AtomicInteger();
            Sent first = FaultUsers.body("pg-restart", "1.0.0", 2048);
            ledger.add(Kind.PUBLISH, first, u.token(), null).acked =
                    http.put(first.name(), u.token(), first.json()).status() == 201;
            Map<String, Integer> answers = new TreeMap<>();
            for (int round = 1; round <= rounds; round++) {
                String mode = round % 2 == 1 ? "fast" : "immediate";
                round(pg, mode, round, http, u, ledger, next, answers, failures);
            }
            out.printf("pg: answers over all rounds: %s%n", answers);
            ledger.check(http).forEach(p -> failures.add("after the restarts: " + p));
            out.printf(
                    "  publishes: %d acknowledged, %d refused (every acknowledged one is there whole; each refused one"
                            + " wholly there or wholly absent: %s)%n",
                    ledger.count(Kind.PUBLISH, true),
                    ledger.count(Kind.PUBLISH, false),
                    java.util.Arrays.toString(ledger.unackedOutcomes.getOrDefault(Kind.PUBLISH, new int[2])));
            server.stop();
            FaultServer.Cli sweep = server.cli("", "blobs", "sweep", "--grace", "PT0S");
            if (!sweep.ok()) {
                failures.add("./airlock blobs sweep failed: " + sweep.output());
            }
            Set<String> orphans = FaultChecks.orphans(server.data, referenced(pg));
            out.printf("  orphans after the sweep: %d%n", orphans.size());
            if (!orphans.isEmpty()) {
                failures.add(orphans.size() + " orphaned blob(s) after the sweep");
            }
            FaultServer.Cli audit = server.cli("", "audit", "verify");
            out.println("  audit verify: exit " + audit.exit() + ", "
                    + audit.output().strip().lines().reduce((a, b) -> b).orElse(""));
            if (!audit.ok()) {
                failures.add("./airlock audit verify: " + audit.output());
            }
        }
        out.printf("  failed criteria: %d%n", failures.size());
        failures.forEach(f -> out.println("  FAIL " + f));
        return failures;
    }

    /** One restart while the clients publish and read: figures for the round, failures added. */
    private void round(
            PgCluster pg,
            String mode,
            int round,
            Http http,
            User u,
            FaultLedger ledger,
            AtomicInteger next,
            Map<String, Integer> answers,
            List<String> failures)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            threads.add(started(() -> {
                while (!stop.get()) {
                    Sent sent = FaultUsers.body("pg-restart", "1.1." + next.incrementAndGet(), 2048);
                    Attempt a = ledger.add(Kind.PUBLISH, sent, u.token(), null);
                    Http.Response r = http.put(sent.name(), u.token(), sent.json());
                    a.acked = r.status() == 201;
                    answer(r, "publish", answers, failures);
                    (a.acked ? acked : refused).incrementAndGet();
                }
            }));
        }
        threads.add(started(() -> {
            while (!stop.get()) {
                answer(http.get("pg-restart", null), "read", answers, failures);
            }
        }));
        try {
            awaitAcks(acked, 5, "before restart " + round);
            long t0 = System.nanoTime();
            pg.restart(mode);
            long restartMs = (System.nanoTime() - t0) / 1_000_000;
            int before = acked.get();
            long t1 = System.nanoTime();
            awaitAcks(acked, before + 1, "after restart " + round);
            long recoveredMs = (System.nanoTime() - t1) / 1_000_000;
            awaitAcks(acked, before + 5, "after restart " + round);
            out.printf(
                    "pg: round %d (%s): the restart took %d ms; the first publish after it succeeded %d ms later;"
                            + " %d publishes acknowledged and %d refused so far this round%n",
                    round, mode, restartMs, recoveredMs, acked.get(), refused.get());
        } catch (IllegalStateException e) {
            synchronized (failures) {
                failures.add(e.getMessage());
            }
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(120_000);
            }
        }
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r, "pg-restart-client");
        t.start();
        return t;
    }

    private static void awaitAcks(AtomicInteger acked, int want, String when) {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (acked.get() < want) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the registry did not recover: " + acked.get() + " of " + want
                        + " publishes acknowledged " + when + " within 90 s");
            }
            FaultServer.pause(20);
        }
    }

    /** Counts an answer; anything but success or the database's 503 sentence is a failure. */
    private static void answer(Http.Response r, String what, Map<String, Integer> answers, List<String> failures) {
        int s = r.status();
        synchronized (answers) {
            answers.merge(what + " " + s, 1, Integer::sum);
        }
        boolean ok = s == 200
                || s == 201
                || (s == 503 && r.body().contains("cannot reach its database") && "5".equals(r.header("Retry-After")));
        if (!ok) {
            synchronized (failures) {
                if (failures.size() < 20) {
                    failures.add(what + " answered " + s + ": " + r.body());
                }
            }
        }
    }

    private static Set<String> referenced(PgCluster pg) throws SQLException {
        Set<String> keys = new HashSet<>();
        try (Connection c = DriverManager.getConnection(pg.url());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(FaultChecks.REFERENCED)) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }
}
