package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.packages.BlobSweep;
import dev.airlock.platform.blob.S3BlobStore;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import dev.airlock.testing.TestS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry with its tarballs in an S3 bucket (a real S3 API server, {@link TestS3}): the real npm CLI publishes
 * and installs through it, a staged version's tarball lands in the bucket, and the orphan sweep deletes only what no
 * row refers to.
 */
class S3RegistryIT {
    static TestS3 s3;
    static TestRegistry registry;
    static Npm alice;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        s3 = TestS3.start();
        registry = TestRegistry.start(s3.settings(), new MutableClock());
        alice = Npm.withToken(tmp.resolve("alice-home"), registry.url(), registry.userWithToken("alice"));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        s3.close();
    }

    static String sha512(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    }

    @Test
    void npmPublishesAndInstallsThroughTheBucketAndTheSweepKeepsWhatRowsReferTo() throws Exception {
        assertThat(registry.airlock.blobs).isInstanceOf(S3BlobStore.class);
        Path lib = tmp.resolve("s3-lib");
        Files2.write(lib.resolve("package.json"), "{\"name\":\"s3-lib\",\"version\":\"1.0.0\",\"license\":\"MIT\"}");
        String data = InstallClientsIT.data("s3-lib");
        Files2.write(lib.resolve("data.txt"), data);
        ok(alice.run(lib, "publish"));

        // the tarball is in the bucket, under its sha512, and nowhere on disk
        Set<String> keys = registry.airlock.blobs.keys();
        assertThat(keys).hasSize(1);
        Path blobDir = registry.dataDir.resolve("blobs");
        assertThat(Files.exists(blobDir) ? Files2.countFiles(blobDir) : 0).isZero();

        Path consumer = tmp.resolve("consumer");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"consumer\",\"version\":\"1.0.0\"}");
        ok(alice.run(consumer, "install", "s3-lib"));
        assertThat(consumer.resolve("node_modules/s3-lib/data.txt")).content().isEqualTo(data);

        // a staged version's tarball is in the bucket too, and referenced by its (staged) row
        registry.stage(registry.userWithToken("bob"), "s3-staged", "1.0.0", false);
        Set<String> referenced = registry.airlock.blobs.keys();
        assertThat(referenced).hasSize(2);

        byte[] orphanBytes = "nothing refers to this".getBytes(StandardCharsets.UTF_8);
        String orphan = sha512(orphanBytes);
        registry.airlock.blobs.put(orphan, orphanBytes);
        // young: spared, its publish may be in flight on any node
        assertThat(registry.airlock.sweep.sweep()).isZero();
        registry.clock.advance(Duration.ofHours(2));
        assertThat(registry.airlock.sweep.sweep()).isEqualTo(1);
        assertThat(registry.airlock.blobs.keys()).isEqualTo(referenced);

        // a row that committed after the sweep's snapshot (here: an empty snapshot) still keeps its blob: each
        // candidate is checked in the database again right before it is deleted
        BlobSweep staleSnapshot = new BlobSweep(
                Set::of,
                key -> registry.airlock.packages.referencesBlob(key),
                registry.airlock.blobs,
                registry.clock,
                Duration.ofHours(1).toMillis());
        assertThat(staleSnapshot.sweep()).isZero();
        assertThat(registry.airlock.blobs.keys()).isEqualTo(referenced);

        // and what was installed is still installable
        Files.delete(consumer.resolve("package-lock.json"));
        Files2.deleteTree(consumer.resolve("node_modules"));
        ok(alice.run(
                consumer,
                "install",
                "s3-lib",
                "--prefer-online",
                "--cache",
                tmp.resolve("cache2").toString()));
        assertThat(consumer.resolve("node_modules/s3-lib/data.txt")).content().isEqualTo(data);
    }
}
