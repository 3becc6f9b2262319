package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listeners see an event once its transaction committed, and never one whose change rolled back. */
class AuditListenerTest {
    @TempDir
    Path dir;

    private Database db;

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void listenersHearCommittedEventsOnly() {
        db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("a.db"), "", "", 2));
        AuditService audit = AuditService.create(db, Clock.systemUTC(), dir.resolve("k"), "registry.test/audit");
        List<String> heard = new ArrayList<>();
        List<Integer> rowsWhenHeard = new ArrayList<>();
        audit.onRecorded(e -> {
            heard.add(e.action() + " " + e.outcome() + " " + e.target() + " " + e.detail() + " " + e.user());
            // after the commit: another connection already sees the row
            rowsWhenHeard.add(db.read(tx -> tx.handle()
                    .createQuery("SELECT COUNT(*) FROM audit_log")
                    .mapTo(Integer.class)
                    .one()));
        });
        Actor alice = new Actor("alice", "session", null, "127.0.0.1");

        assertThatThrownBy(() -> db.write(tx -> {
                    audit.record(tx, alice, "stage.approve", "package:lib", Map.of("factor", "totp"));
                    throw new IllegalStateException("the approval failed after recording");
                }))
                .hasMessageContaining("approval failed");
        assertThat(heard).isEmpty();

        db.write(tx -> {
            audit.record(tx, alice, "stage.approve", "package:lib", Map.of("factor", "totp"));
            assertThat(heard).as("not before the commit").isEmpty();
            audit.record(tx, alice, "package.publish", "failure", "package:lib", Map.of());
            return null;
        });
        assertThat(heard)
                .containsExactly(
                        "stage.approve success package:lib {factor=totp} alice",
                        "package.publish failure package:lib {} alice");
        assertThat(rowsWhenHeard).containsExactly(2, 2);
    }
}
