package dev.airlock.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code ./airlock backup} of a registry that keeps serving (and taking publishes) meanwhile, then {@code ./airlock
 * restore} into a new directory: the restored registry serves the same bytes, its audit log verifies, logins and TOTP
 * work. Backup copies the embedded database, so it runs in the SQLite execution; the PostgreSQL execution checks that
 * the command refuses and points to pg_dump.
 */
class BackupRestoreIT {

    @Test
    void aBackupOfARunningRegistryRestoresToTheSameRegistry() throws Exception {
        assumeFalse(TestDatabase.postgres(), "backup copies the embedded SQLite database");
        MutableClock clock = new MutableClock();
        Path backup = Files.createTempDirectory("airlock-backup").resolve("b");
        Path restoredDir = Files.createTempDirectory("airlock-restored");
        try (TestRegistry original = TestRegistry.start(Map.of(), clock)) {
            RegistryContent.Filled filled = RegistryContent.fill(original);
            List<String> before = RegistryContent.names(original);

            // publishes go on while the backup runs
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<List<Integer>> publishes = pool.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; !done.get() || i < 3; i++) {
                    Http.Response r = original.http.put(
                            "conc-" + i, filled.devToken(), Json.write(Tarballs.publishBody("conc-" + i, "1.0.0")));
                    statuses.add(r.status());
                }
                return statuses;
            });
            String out;
            try {
                out = AirlockCommand.run("", "backup", backup.toString(), "--data", original.dataDir.toString());
            } finally {
                done.set(true);
            }
            assertThat(out).startsWith("exit=0").contains("Backed up");
            assertThat(publishes.get()).isNotEmpty().allMatch(s -> s == 201);
            pool.shutdown();
            assertThat(backup.resolve("manifest.json")).exists();
            assertThat(backup.resolve("secret.key")).exists();
            assertThat(backup.resolve("audit-log.key")).exists();

            // a second backup into the same directory is refused
            assertThat(AirlockCommand.run("", "backup", backup.toString(), "--data", original.dataDir.toString()))
                    .startsWith("exit=1")
                    .contains("is not empty");

            String restore = AirlockCommand.run("", "restore", backup.toString(), "--data", restoredDir.toString());
            assertThat(restore).startsWith("exit=0").contains("the audit log verifies");
            // into a directory that holds something: refused, nothing changed
            String again = AirlockCommand.run("", "restore", backup.toString(), "--data", restoredDir.toString());
            assertThat(again).startsWith("exit=1").contains("is not empty");

            try (TestRegistry restored = TestRegistry.startOn(
                    restoredDir, Map.of("server.publicUrl", "http://127.0.0.1:" + original.port), clock)) {
                List<String> names = RegistryContent.names(restored);
                assertThat(names).containsAll(before).contains("alpha", "@acme/widget");
                assertThat(RegistryContent.names(original)).containsAll(names);
                int tarballs = RegistryContent.assertSameContent(original, restored, names);
                assertThat(tarballs).isGreaterThanOrEqualTo(4);
                RegistryContent.assertSameStage(original, restored, filled.ownerToken(), filled.stageId());

                var audit = restored.airlock.audit.verify(List.of(), null);
                assertThat(audit.ok()).as(audit.findings().toString()).isTrue();
                assertThat(audit.size()).isGreaterThan(10);

                // the password, the token and the TOTP secret (encrypted with the restored secret.key) all still work
                assertThat(restored.login("dev", "dev-password")).isNotEmpty();
                assertThat(restored.http
                                .get("-/whoami", filled.ownerToken())
                                .json()
                                .path("username")
                                .asText())
                        .isEqualTo("owner");
                Http.Response withCode = restored.http.send(
                        "PUT",
                        "-/package/alpha/dist-tags/restored",
                        filled.ownerToken(),
                        "\"1.1.0\"",
                        "npm-otp",
                        filled.ownerApp().next());
                assertThat(withCode.status()).as(withCode.body()).isEqualTo(201);
                Http.Response wrong = restored.http.send(
                        "PUT", "-/package/alpha/dist-tags/nope", filled.ownerToken(), "\"1.1.0\"", "npm-otp", "000000");
                assertThat(wrong.status()).isEqualTo(401);
            }
        } finally {
            Files2.deleteTree(backup.getParent());
            Files2.deleteTree(restoredDir);
        }
    }

    @Test
    void aRestoreChecksEveryBlobAgainstItsKey() throws Exception {
        assumeFalse(TestDatabase.postgres(), "backup copies the embedded SQLite database");
        Path backup = Files.createTempDirectory("airlock-backup").resolve("b");
        Path restoredDir = Files.createTempDirectory("airlock-restored").resolve("data");
        try (TestRegistry original = TestRegistry.start()) {
            String token = original.userWithToken("dev");
            assertThat(original.http
                            .put("one", token, Json.write(Tarballs.publishBody("one", "1.0.0")))
                            .status())
                    .isEqualTo(201);
            assertThat(AirlockCommand.run("", "backup", backup.toString(), "--data", original.dataDir.toString()))
                    .startsWith("exit=0");
            Path blob;
            try (var files = Files.walk(backup.resolve("blobs"))) {
                blob = files.filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 1;
            Files.write(blob, bytes);
            String out = AirlockCommand.run("", "restore", backup.toString(), "--data", restoredDir.toString());
            assertThat(out).startsWith("exit=1").contains("is damaged");
            assertThat(restoredDir).doesNotExist();
        } finally {
            Files2.deleteTree(backup.getParent());
            Files2.deleteTree(restoredDir.getParent());
        }
    }

    @Test
    void onPostgreSqlBackupPointsToPgDump() throws Exception {
        assumeTrue(TestDatabase.postgres(), "the PostgreSQL execution");
        Path backup = Files.createTempDirectory("airlock-backup").resolve("b");
        try (TestRegistry registry = TestRegistry.start()) {
            String out = AirlockCommand.run("", "backup", backup.toString(), "--data", registry.dataDir.toString());
            assertThat(out).startsWith("exit=1").contains("pg_dump").contains("docs/deployment.md");
            assertThat(backup).doesNotExist();
        } finally {
            Files2.deleteTree(backup.getParent());
        }
    }
}
