package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log on a real SQLite file: events chain, and editing any row breaks the chain. */
class AuditChainTest {
    @TempDir
    Path dir;

    @Test
    void chainVerifiesAndDetectsTampering() {
        try (Database db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("a.db"), "", "", 2))) {
            AuditService audit = AuditService.create(db, Clock.systemUTC());
            Actor alice = new Actor("alice", "session", null, "127.0.0.1");
            for (int i = 0; i < 5; i++) {
                int n = i;
                db.write(tx -> {
                    audit.record(tx, alice, "package.publish", "package:x", Map.of("version", "1.0." + n));
                    return null;
                });
            }
            assertThat(audit.all()).hasSize(5);
            assertThat(audit.verify()).isEqualTo(-1);
            assertThat(audit.forTarget("package:x").get(0).detail()).containsEntry("version", "1.0.0");

            db.write(tx -> tx.handle()
                    .createUpdate("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
                    .execute());
            assertThat(audit.verify()).isEqualTo(3);
        }
    }

    @Test
    void anEventIsWrittenOnlyWhenItsTransactionCommits() {
        try (Database db = Database.open(new AirlockConfig.Database("jdbc:sqlite:" + dir.resolve("b.db"), "", "", 2))) {
            AuditService audit = AuditService.create(db, Clock.systemUTC());
            try {
                db.write(tx -> {
                    audit.record(tx, Actor.operator(), "user.create", "user:x", Map.of());
                    throw new IllegalStateException("rolled back");
                });
            } catch (IllegalStateException expected) {
                // the change failed, so its event must not exist
            }
            assertThat(audit.all()).isEmpty();
        }
    }
}
