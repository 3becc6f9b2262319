package dev.airlock.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.ops.RegistryContent.Filled;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.TestRegistry;
import dev.airlock.testing.TestS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./airlock migrate}: an embedded installation with real content moves into a fresh PostgreSQL database and
 * another blob directory; a registry started on the result serves the same bytes, its logins and TOTP work (the
 * secret key travels with the key files) and its audit log verifies. It needs the PostgreSQL server, so it runs in the
 * PostgreSQL execution only. (The source registry stays up but idle so that the two can be compared; operators stop
 * it.)
 */
class MigrateIT {

    @Test
    void anEmbeddedInstallationMovesToPostgreSqlWithNothingLost() throws Exception {
        assumeTrue(TestDatabase.postgres(), "needs the PostgreSQL server of the PostgreSQL execution");
        MutableClock clock = new MutableClock();
        Path sourceDir = Files.createTempDirectory("airlock-source");
        Path work = Files.createTempDirectory("airlock-migrated");
        Path nodeDir = work.resolve("node");
        Path blobs = work.resolve("blobs");
        String sqlite = "jdbc:sqlite:" + sourceDir.resolve("airlock.db");
        try (TestRegistry original = TestRegistry.startOn(sourceDir, Map.of("database.url", sqlite), clock)) {
            Filled filled = RegistryContent.fill(original);
            String data = sourceDir.toString();

            String foreign = TestDatabase.fresh();
            try (Connection c = DriverManager.getConnection(foreign);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE invoices (id BIGINT)");
            }
            String refused = AirlockCommand.run(
                    "", "migrate", "--to", foreign, "--data", data, "--database", sqlite, "--blobs", blobs.toString());
            assertThat(refused).startsWith("exit=1").contains("not empty");
            assertThat(tables(foreign)).containsExactly("invoices");
            assertThat(blobs).doesNotExist();

            String target = TestDatabase.fresh();
            String out = AirlockCommand.run(
                    "", "migrate", "--to", target, "--data", data, "--database", sqlite, "--blobs", blobs.toString());
            assertThat(out).startsWith("exit=0").contains("Migrated").contains("audit log");
            String again = AirlockCommand.run(
                    "", "migrate", "--to", target, "--data", data, "--database", sqlite, "--blobs", blobs.toString());
            assertThat(again).startsWith("exit=1").contains("not empty");

            Files.createDirectories(nodeDir);
            for (String key : List.of("secret.key", "audit-log.key", "signing.key")) {
                Files.copy(sourceDir.resolve(key), nodeDir.resolve(key));
            }
            try (TestRegistry migrated = TestRegistry.startOn(
                    nodeDir,
                    Map.of(
                            "database.url",
                            target,
                            "blobs.dir",
                            blobs.toString(),
                            "server.publicUrl",
                            "http://127.0.0.1:" + original.port),
                    clock)) {
                assertThat(migrated.airlock.db.sqlite()).isFalse();
                List<String> names = RegistryContent.names(migrated);
                assertThat(names).isEqualTo(RegistryContent.names(original)).contains("alpha", "@acme/widget");
                assertThat(RegistryContent.assertSameContent(original, migrated, names))
                        .isEqualTo(4);
                RegistryContent.assertSameStage(original, migrated, filled.ownerToken(), filled.stageId());

                var audit = migrated.airlock.audit.verify(List.of(), null);
                assertThat(audit.ok()).as(audit.findings().toString()).isTrue();
                assertThat(audit.size())
                        .isEqualTo(
                                original.airlock.audit.verify(List.of(), null).size());

                assertThat(migrated.login("dev", "dev-password")).isNotEmpty();
                assertThat(migrated.http
                                .get("-/whoami", filled.ownerToken())
                                .json()
                                .path("username")
                                .asText())
                        .isEqualTo("owner");
                Http.Response withCode = migrated.http.send(
                        "PUT",
                        "-/package/alpha/dist-tags/migrated",
                        filled.ownerToken(),
                        "\"1.1.0\"",
                        "npm-otp",
                        filled.ownerApp().next());
                assertThat(withCode.status()).as(withCode.body()).isEqualTo(201);
                Http.Response reused = migrated.http.send(
                        "PUT",
                        "-/package/alpha/dist-tags/again",
                        filled.ownerToken(),
                        "\"1.1.0\"",
                        "npm-otp",
                        filled.ownerApp().now());
                assertThat(reused.status()).isEqualTo(401);
            }
        } finally {
            Files2.deleteTree(work);
        }
    }

    @Test
    void theTarballsCanMoveIntoAnS3BucketOnTheWay() throws Exception {
        assumeTrue(TestDatabase.postgres(), "needs the PostgreSQL server of the PostgreSQL execution");
        MutableClock clock = new MutableClock();
        Path sourceDir = Files.createTempDirectory("airlock-source");
        Path work = Files.createTempDirectory("airlock-migrated");
        Path nodeDir = work.resolve("node");
        String sqlite = "jdbc:sqlite:" + sourceDir.resolve("airlock.db");
        try (TestS3 s3 = TestS3.start();
                TestRegistry original = TestRegistry.startOn(sourceDir, Map.of("database.url", sqlite), clock)) {
            Filled filled = RegistryContent.fill(original);
            String target = TestDatabase.fresh();
            // as an operator runs it: the bucket's credentials in the environment, not on the command line
            ProcessBuilder pb = new ProcessBuilder(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-jar",
                            Path.of("target/airlock.jar").toAbsolutePath().toString(),
                            "migrate",
                            "--to",
                            target,
                            "--data",
                            sourceDir.toString(),
                            "--database",
                            sqlite,
                            "--blobs",
                            "s3://" + s3.bucket() + "/npm?endpoint=" + s3.endpoint() + "&pathStyle=true")
                    .redirectErrorStream(true);
            pb.environment().put("AIRLOCK_BLOBS_S3_ACCESS_KEY", s3.accessKey());
            pb.environment().put("AIRLOCK_BLOBS_S3_SECRET_KEY", s3.secretKey());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("Migrated").contains("audit log");
            try (Connection c = DriverManager.getConnection(target);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT value FROM settings WHERE key = 'cluster.key.secret'")) {
                assertThat(rs.next())
                        .as("the old secret key is in the target database")
                        .isTrue();
                assertThat(rs.getString(1))
                        .isEqualTo(Files.readString(sourceDir.resolve("secret.key"))
                                .strip());
            }

            // a new node with an empty data directory: the old installation's keys come from the database
            Files.createDirectories(nodeDir);
            Map<String, String> settings = new java.util.HashMap<>(s3.settings());
            settings.put("blobs.s3.prefix", "npm/");
            settings.put("database.url", target);
            settings.put("server.publicUrl", "http://127.0.0.1:" + original.port);
            try (TestRegistry migrated = TestRegistry.startOn(nodeDir, settings, clock)) {
                List<String> names = RegistryContent.names(migrated);
                assertThat(names).isEqualTo(RegistryContent.names(original));
                assertThat(RegistryContent.assertSameContent(original, migrated, names))
                        .isEqualTo(4);
                // nothing of the migrated registry's tarballs lies on its disk: they are in the bucket
                // the TOTP seed sealed with the old secret key still opens, and the checkpoints verify
                Http.Response withCode = migrated.http.send(
                        "PUT",
                        "-/package/alpha/dist-tags/moved",
                        filled.ownerToken(),
                        "\"1.1.0\"",
                        "npm-otp",
                        filled.ownerApp().next());
                assertThat(withCode.status()).as(withCode.body()).isEqualTo(201);
                var audit = migrated.airlock.audit.verify(List.of(), null);
                assertThat(audit.ok()).as(audit.findings().toString()).isTrue();
                Path disk = nodeDir.resolve("blobs");
                assertThat(Files.exists(disk) ? Files2.countFiles(disk) : 0).isZero();
            }
        } finally {
            Files2.deleteTree(work);
        }
    }

    private static List<String> tables(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
            return names;
        }
    }
}
