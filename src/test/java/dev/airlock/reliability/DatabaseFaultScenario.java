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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * SQLite busy: another process-level connection holds the database's write lock ({@code BEGIN IMMEDIATE}) for a few
 * seconds while clients publish. Publishes wait (the server's busy timeout, {@code database.busyTimeout}, is set to twice
 * the hold) and then succeed, reads go on meanwhile. Then the lock is held beyond the server's wait: the publish
 * arriving meanwhile is refused with 503 and a sentence, stores nothing, and succeeds when repeated. Nothing is
 * partial, and the database passes its integrity check.
 *
 * <p>Standalone: {@code reliability/db.sh [--hold-seconds N]}. (PostgreSQL restarts: not built yet.)
 */
final class DatabaseFaultScenario {
    private final Path work;
    private final int holdSeconds;
    private final PrintStream out;

    DatabaseFaultScenario(Path work, int holdSeconds, PrintStream out) {
        this.work = work;
        this.holdSeconds = holdSeconds;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int hold = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--hold-seconds")) {
                hold = Integer.parseInt(args[++i]);
            }
        }
        Path work = Files.createTempDirectory("airlock-db");
        boolean ok = new DatabaseFaultScenario(work, hold, System.out).run().isEmpty();
        System.out.println(ok ? "PASS db" : "FAIL db (server log: " + work.resolve("server.log") + ")");
        System.exit(ok ? 0 : 1);
    }

    List<String> run() throws Exception {
        List<String> failures = new ArrayList<>();
        FaultLedger ledger = new FaultLedger();
        try (FaultServer server = new FaultServer(work)) {
            // the server waits twice the first hold for a lock: the first hold is waited out, the second is not
            server.env("AIRLOCK_DATABASE_BUSY_TIMEOUT", "PT" + 2 * holdSeconds + "S");
            server.start();
            Http http = server.http();
            User u = FaultUsers.signUp(http, "db-pub");
            Sent first = FaultUsers.body("db-busy", "1.0.0", 4096);
            ledger.add(Kind.PUBLISH, first, u.token(), null).acked =
                    http.put(first.name(), u.token(), first.json()).status() == 201;
            List<Long> waits = new ArrayList<>();
            int readsDuring = 0;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.data.resolve("airlock.db"));
                    Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("BEGIN IMMEDIATE");
                long locked = System.nanoTime();
                List<Thread> clients = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    Sent sent = FaultUsers.body("db-busy", "1.0." + i, 4096);
                    Attempt a = ledger.add(Kind.PUBLISH, sent, u.token(), null);
                    Thread t = new Thread(() -> {
                        long t0 = System.nanoTime();
                        Http.Response r = http.put(sent.name(), u.token(), sent.json());
                        a.acked = r.status() == 201;
                        synchronized (waits) {
                            waits.add((System.nanoTime() - t0) / 1_000_000);
                        }
                        if (!a.acked) {
                            synchronized (failures) {
                                failures.add("publish while the database was locked: " + r.status() + " " + r.body());
                            }
                        }
                    });
                    t.start();
                    clients.add(t);
                }
                while ((System.nanoTime() - locked) / 1_000_000_000 < holdSeconds) {
                    readsDuring += http.get("db-busy", null).status() == 200 ? 1 : 0;
                    FaultServer.pause(200);
                }
                s.execute("ROLLBACK");
                for (Thread t : clients) {
                    t.join(60_000);
                }
            }
            out.printf(
                    "db: SQLite write lock held %d s by another connection; 3 publishes waited %s ms and"
                            + " answered; %d packument reads answered 200 meanwhile%n",
                    holdSeconds, waits, readsDuring);
            if (readsDuring == 0) {
                failures.add("no read answered while the write lock was held");
            }
            ledger.check(http).forEach(p -> failures.add("after the lock: " + p));
            beyondTheWait(server, http, u, ledger, failures);
            ledger.check(http).forEach(p -> failures.add("after the longer lock: " + p));
            server.stop();
            failures.addAll(FaultChecks.afterStop(server, out));
        }
        out.printf("  failed criteria: %d%n", failures.size());
        failures.forEach(f -> out.println("  FAIL " + f));
        return failures;
    }

    /**
     * A lock held longer than the server waits: the publish arriving meanwhile is refused with 503, a Retry-After and
     * the sentence saying why, its version is not stored, and the same publish succeeds once the lock is gone.
     */
    private void beyondTheWait(FaultServer server, Http http, User u, FaultLedger ledger, List<String> failures)
            throws Exception {
        Sent sent = FaultUsers.body("db-busy", "2.0.0", 4096);
        Http.Response refused;
        long waited;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.data.resolve("airlock.db"));
                Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            long t0 = System.nanoTime();
            refused = http.put(sent.name(), u.token(), sent.json());
            waited = (System.nanoTime() - t0) / 1_000_000;
            if (http.get("db-busy", null).status() != 200) {
                failures.add("no read answered while the write lock was held beyond the wait");
            }
            s.execute("ROLLBACK");
        }
        out.printf(
                "db: lock held beyond the server's %d s wait: the publish was answered %d after %d ms: %s%n",
                2 * holdSeconds, refused.status(), waited, refused.body());
        if (refused.status() != 503
                || !refused.body().contains("locked by another process")
                || !"5".equals(refused.header("Retry-After"))) {
            failures.add("a publish beyond the lock wait: " + refused.status() + " " + refused.body());
        }
        if (http.get("db-busy", null).body().contains("\"2.0.0\"")) {
            failures.add("the refused publish left version 2.0.0 behind");
        }
        Http.Response again = http.put(sent.name(), u.token(), sent.json());
        ledger.add(Kind.PUBLISH, sent, u.token(), null).acked = again.status() == 201;
        if (again.status() != 201) {
            failures.add("the same publish after the lock: " + again.status() + " " + again.body());
        }
    }
}
