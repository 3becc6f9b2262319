package dev.airlock.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.db.Database;
import dev.airlock.testing.Files2;
import dev.airlock.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leases on the database this run uses (SQLite, and PostgreSQL in the postgres execution): two holders on one database
 * with a clock the test moves. SQLite would not need them (one node), but the SQL is the same, so it runs on both.
 */
class LeasesIT {
    private Path dir;
    private Database db;
    private final AtomicLong now = new AtomicLong(1_000_000);

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("airlock-leases");
        Map<String, String> flags = new HashMap<>(TestDatabase.settingsFor(dir));
        flags.put("data.dir", dir.toString());
        db = Database.open(ConfigLoader.load(null, Map.of(), flags).database());
    }

    @AfterEach
    void close() {
        db.close();
        TestDatabase.drop(dir);
        Files2.deleteTree(dir);
    }

    private Leases node(String holder) {
        return new Leases(db, holder, true, now::get);
    }

    @Test
    void oneHolderAtATimeUntilItReleasesOrStopsRenewing() {
        Lease a = node("a").lease("audit-sink:siem", Duration.ofSeconds(30));
        Lease b = node("b").lease("audit-sink:siem", Duration.ofSeconds(30));
        assertThat(a.hold()).isTrue();
        assertThat(b.hold()).isFalse();
        assertThat(node("x").holderOf("audit-sink:siem")).isEqualTo("a");

        now.addAndGet(20_000); // a renews (past half the lease), b still cannot take it
        assertThat(a.hold()).isTrue();
        now.addAndGet(20_000);
        assertThat(b.hold()).as("a renewed 20 s ago").isFalse();

        a.release();
        assertThat(b.hold()).as("released").isTrue();
        assertThat(a.hold()).isFalse();

        now.addAndGet(31_000); // b stopped renewing (it died): the lease expired
        assertThat(a.hold()).isTrue();
        assertThat(node("x").holderOf("audit-sink:siem")).isEqualTo("a");
    }

    @Test
    void aPeriodicJobRunsOncePerPeriodAcrossNodes() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Runnable job = runs::incrementAndGet;
        List<Runnable> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(node("n" + i).once("staging-expire", Duration.ofMinutes(1), job));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int period = 1; period <= 5; period++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (Runnable n : nodes) {
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 3; i++) {
                            n.run(); // every node tries three times within the period
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) {
                    f.get();
                }
                assertThat(runs.get()).as("runs after period " + period).isEqualTo(period);
                now.addAndGet(60_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJobThatThrowsIsStillDueNextPeriodAndANodeThatDiedMidRunIsReplaced() {
        AtomicInteger runs = new AtomicInteger();
        Runnable failing = node("a").once("sweep", Duration.ofSeconds(10), () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("disk full");
        });
        try {
            failing.run();
        } catch (IllegalStateException expected) {
            // the scheduler logs it
        }
        Runnable other = node("b").once("sweep", Duration.ofSeconds(10), runs::incrementAndGet);
        other.run();
        assertThat(runs.get()).as("not due again yet").isEqualTo(1);
        now.addAndGet(10_000);
        other.run();
        assertThat(runs.get()).isEqualTo(2);

        // a node that took the job and died holds it for max(period, 1 minute)
        now.addAndGet(10_000);
        assertThat(node("c").take("job:sweep", now.get(), now.get() + Leases.MIN_GUARD.toMillis(), false))
                .isTrue();
        now.addAndGet(30_000);
        other.run();
        assertThat(runs.get()).as("c is still running it").isEqualTo(2);
        now.addAndGet(31_000);
        other.run();
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void unenforcedLeasesCostNothingAndAlwaysHold() {
        Leases single = new Leases(db, "only", false);
        assertThat(single.lease("x", Duration.ofSeconds(30)).hold()).isTrue();
        Runnable job = () -> {};
        assertThat(single.once("x", Duration.ofSeconds(1), job)).isSameAs(job);
        assertThat(single.holderOf("x")).isNull();
    }
}
