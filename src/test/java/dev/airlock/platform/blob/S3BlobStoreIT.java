package dev.airlock.platform.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.platform.config.S3Config;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.TestS3;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** {@link S3BlobStore} against a real S3 API server (S3Proxy with its filesystem backend, {@link TestS3}). */
class S3BlobStoreIT {
    static TestS3 server;
    static S3BlobStore store;
    /** A plain client on the same bucket, to look at what the store left there. */
    static S3Client raw;

    @BeforeAll
    static void start() {
        server = TestS3.start();
        store = BlobStores.s3(config("blobs/"));
        raw = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .build();
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (raw != null) {
            raw.close();
        }
        server.close();
    }

    static S3Config config(String prefix) {
        return new S3Config(
                server.bucket(), server.endpoint(), "us-east-1", true, server.accessKey(), server.secretKey(), prefix);
    }

    static String sha512(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    }

    static String sha512(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-512");
        try (in) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** {@code size} pseudo-random bytes made as they are read: never in the heap as a whole. */
    static InputStream generated(long seed, long size) {
        return new InputStream() {
            final Random random = new Random(seed);
            long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }

    @Test
    void smallBlobRoundTrip() throws Exception {
        byte[] bytes = "a small tarball".getBytes(StandardCharsets.UTF_8);
        String key = sha512(bytes);
        assertThat(store.exists(key)).isFalse();
        store.put(key, bytes);
        assertThat(store.exists(key)).isTrue();
        assertThat(store.size(key)).isEqualTo(bytes.length);
        try (InputStream in = store.open(key)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(store.writtenAt(key))
                .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis() + 60_000);
        // content-addressed under the prefix
        assertThat(raw.headObject(b -> b.bucket(server.bucket()).key("blobs/" + key))
                        .contentLength())
                .isEqualTo(bytes.length);

        byte[] streamed = "streamed, small".getBytes(StandardCharsets.UTF_8);
        store.putCopy(sha512(streamed), new ByteArrayInputStream(streamed));
        assertThat(store.open(sha512(streamed)).readAllBytes()).isEqualTo(streamed);
    }

    @Test
    void thirtyMebibytesStreamInAMultipartUploadAndReadBackWithTheSameSha512() throws Exception {
        long size = 30L << 20;
        String key = sha512(generated(42, size));
        java.util.List<String> inFlight = new java.util.ArrayList<>();
        InputStream body = new java.io.FilterInputStream(generated(42, size)) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                if (read > (20L << 20) && inFlight.isEmpty()) {
                    // parts are uploaded and the next is being read: the server holds an open upload
                    raw.listMultipartUploads(l -> l.bucket(server.bucket())).uploads().stream()
                            .filter(u -> u.key().equals("blobs/" + key))
                            .forEach(u -> inFlight.add(u.uploadId()));
                    inFlight.add("checked");
                }
                return n;
            }
        };
        store.put(key, body);
        assertThat(inFlight).hasSize(2);
        assertThat(store.size(key)).isEqualTo(size);
        assertThat(sha512(store.open(key))).isEqualTo(key);
        assertThat(raw.listMultipartUploads(l -> l.bucket(server.bucket())).uploads())
                .noneMatch(u -> u.key().equals("blobs/" + key));
    }

    @Test
    void puttingAKeyThatExistsUploadsNothing() throws Exception {
        byte[] bytes = "idempotent".getBytes(StandardCharsets.UTF_8);
        String key = sha512(bytes);
        store.put(key, bytes);
        InputStream unreadable = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("the existing blob's bytes were read again");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return read();
            }
        };
        store.put(key, unreadable);
        store.putCopy(key, bytes);
        assertThat(store.open(key).readAllBytes()).isEqualTo(bytes);
    }

    @Test
    void puttingAnOldBlobAgainMakesItYoungForTheSweep() throws Exception {
        MutableClock later = new MutableClock();
        later.advance(Duration.ofMinutes(10)); // the store sees the object as 10 minutes old
        S3BlobStore touching = new S3BlobStore(raw, server.bucket(), "blobs/", 1000, later);
        byte[] bytes = "an old orphan published again".getBytes(StandardCharsets.UTF_8);
        String key = sha512(bytes);
        store.put(key, bytes);
        long first = store.writtenAt(key);
        Thread.sleep(1100); // modification times have whole seconds
        store.put(key, bytes); // young: nothing to do
        assertThat(store.writtenAt(key)).isEqualTo(first);
        touching.put(key, bytes);
        assertThat(store.writtenAt(key)).isGreaterThan(first);
        assertThat(store.open(key).readAllBytes()).isEqualTo(bytes);
    }

    @Test
    void anAbsentKeyIsNoSuchFile() {
        String key = "0".repeat(128);
        assertThat(store.exists(key)).isFalse();
        assertThatThrownBy(() -> store.open(key).close()).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.size(key)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.writtenAt(key)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void keysAreListedAcrossPagesUnderTheirOwnPrefixOnly() throws Exception {
        S3BlobStore paged = BlobStores.s3(config("paged"), 2);
        Set<String> put = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            byte[] bytes = ("blob " + i).getBytes(StandardCharsets.UTF_8);
            put.add(sha512(bytes));
            paged.put(sha512(bytes), bytes);
        }
        // not a blob key: ignored; and another store's prefix is not listed
        raw.putObject(b -> b.bucket(server.bucket()).key("paged/README"), RequestBody.fromString("not a blob"));
        store.put(sha512("elsewhere".getBytes(StandardCharsets.UTF_8)), "elsewhere".getBytes(StandardCharsets.UTF_8));
        assertThat(paged.keys()).isEqualTo(put);
        assertThat(store.keys()).doesNotContainAnyElementsOf(put);
    }

    @Test
    void deleteRemovesAndIsIdempotent() throws Exception {
        byte[] bytes = "to delete".getBytes(StandardCharsets.UTF_8);
        String key = sha512(bytes);
        store.put(key, bytes);
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        store.delete(key);
        assertThat(store.keys()).doesNotContain(key);
    }

    @Test
    void bytesThatDoNotMatchTheirKeyAreRefusedBeforeAnythingIsCommitted() throws Exception {
        byte[] small = "what the key says".getBytes(StandardCharsets.UTF_8);
        String key = sha512(small);
        assertThatThrownBy(() -> store.put(key, "other bytes".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream("other".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IOException.class);
        assertThat(store.exists(key)).isFalse();

        long size = 17L << 20; // four parts: the mismatch is known only after three were uploaded
        String bigKey = sha512(generated(7, size));
        assertThatThrownBy(() -> store.put(bigKey, generated(8, size)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not match");
        assertThat(store.exists(bigKey)).isFalse();
        // the upload was aborted, not left behind
        assertThat(raw.listMultipartUploads(b -> b.bucket(server.bucket())).uploads())
                .noneMatch(u -> u.key().endsWith(bigKey));
    }

    @Test
    void aMissingOrUnreachableBucketIsAClearErrorAtStart() {
        assertThatThrownBy(() -> BlobStores.s3(new S3Config(
                        "no-such-bucket",
                        server.endpoint(),
                        "us-east-1",
                        true,
                        server.accessKey(),
                        server.secretKey(),
                        "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S3 bucket \"no-such-bucket\" at " + server.endpoint() + " does not exist");
        assertThatThrownBy(() -> BlobStores.s3(new S3Config(
                        server.bucket(), server.endpoint(), "us-east-1", true, server.accessKey(), "wrong-secret", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused the credentials");
        assertThatThrownBy(() -> BlobStores.s3(
                        new S3Config(server.bucket(), "http://127.0.0.1:9", "us-east-1", true, "k", "s", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot reach S3 bucket");
    }
}
