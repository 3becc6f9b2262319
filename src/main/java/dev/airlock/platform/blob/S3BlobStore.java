package dev.airlock.platform.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Content-addressed objects in an S3-compatible bucket: {@code <prefix><sha512 hex>}. A body is read from its stream
 * in parts of {@link #PART_BYTES}: one part is a single PUT, more are a multipart upload, so no more than one part is
 * ever in the heap. Every request carries a SHA-256 checksum the server verifies, and the SHA-512 of what was read
 * must equal the key before the object is committed (a single PUT is sent only then; a multipart upload is aborted
 * instead of completed), so a blob never holds bytes other than its key names.
 *
 * <p>Objects are immutable: {@code put} of a key that exists does not upload again. It refreshes the object's
 * modification time instead when that is older than {@link #TOUCH_AFTER}, so the orphan sweep (which spares young
 * blobs) does not delete an old orphan that a publish in flight is about to reference again.
 *
 * <p>S3 has no cheaper, non-durable write: {@code putCopy} is {@code put}.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    /**
     * The size of one part of a multipart upload: S3's smallest (every part but the last must have 5 MiB), because an
     * upload in flight holds one part in the heap, and the launcher's default heap is small.
     */
    static final int PART_BYTES = 5 << 20;
    /** An existing blob older than this has its modification time refreshed when put again. */
    static final Duration TOUCH_AFTER = Duration.ofMinutes(5);

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{128}");
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int pageSize;
    private final Clock clock;

    /** {@code pageSize} is the most keys one listing request asks for (S3's own limit is 1000). */
    public S3BlobStore(S3Client s3, String bucket, String prefix, int pageSize, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.pageSize = pageSize;
        this.clock = clock;
    }

    private String object(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a blob key");
        }
        return prefix + key;
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
        if (bytes.length >= PART_BYTES) {
            put(key, new ByteArrayInputStream(bytes));
            return;
        }
        String object = object(key);
        try {
            if (touchIfPresent(object)) {
                return;
            }
            MessageDigest sha512 = sha512();
            sha512.update(bytes);
            verify(key, sha512);
            s3.putObject(
                    b -> b.bucket(bucket).key(object).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                    body(bytes, bytes.length));
        } catch (SdkException e) {
            throw failure("store blob " + key, e);
        }
    }

    @Override
    public void put(String key, InputStream in) throws IOException {
        String object = object(key);
        try (in) {
            if (touchIfPresent(object)) {
                return;
            }
            MessageDigest sha512 = sha512();
            byte[] part = new byte[PART_BYTES];
            int n = in.readNBytes(part, 0, PART_BYTES);
            sha512.update(part, 0, n);
            if (n < PART_BYTES) {
                verify(key, sha512);
                s3.putObject(
                        b -> b.bucket(bucket).key(object).checksumAlgorithm(ChecksumAlgorithm.SHA256), body(part, n));
                return;
            }
            multipart(key, object, in, part, sha512);
        } catch (SdkException e) {
            throw failure("store blob " + key, e);
        }
    }

    private void multipart(String key, String object, InputStream in, byte[] part, MessageDigest sha512)
            throws IOException {
        String upload = s3.createMultipartUpload(
                        b -> b.bucket(bucket).key(object).checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int n = PART_BYTES;
            while (n > 0) {
                int number = parts.size() + 1;
                UploadPartResponse r = s3.uploadPart(
                        b -> b.bucket(bucket)
                                .key(object)
                                .uploadId(upload)
                                .partNumber(number)
                                .checksumAlgorithm(ChecksumAlgorithm.SHA256),
                        body(part, n));
                parts.add(CompletedPart.builder()
                        .partNumber(number)
                        .eTag(r.eTag())
                        .checksumSHA256(r.checksumSHA256())
                        .build());
                n = in.readNBytes(part, 0, PART_BYTES);
                sha512.update(part, 0, n);
            }
            verify(key, sha512);
            s3.completeMultipartUpload(
                    b -> b.bucket(bucket).key(object).uploadId(upload).multipartUpload(m -> m.parts(parts)));
            completed = true;
        } finally {
            if (!completed) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(object).uploadId(upload));
                } catch (SdkException e) {
                    // the bucket's lifecycle rule for incomplete uploads (docs/configuration.md) cleans up
                }
            }
        }
    }

    /** The bytes of one part, re-readable for the SDK's retries without a copy. */
    private static RequestBody body(byte[] part, int n) {
        return RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(part, 0, n), n, "application/octet-stream");
    }

    private static void verify(String key, MessageDigest sha512) throws IOException {
        if (!HexFormat.of().formatHex(sha512.digest()).equals(key)) {
            throw new IOException("blob content does not match its key " + key.substring(0, 16) + "…; not stored");
        }
    }

    /** Whether the object exists; if so and it is older than {@link #TOUCH_AFTER}, its modification time is renewed. */
    private boolean touchIfPresent(String object) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(object));
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
        if (head.lastModified().toEpochMilli() < clock.millis() - TOUCH_AFTER.toMillis()) {
            // a copy onto itself must change something: the metadata is replaced by a note of when
            s3.copyObject(b -> b.sourceBucket(bucket)
                    .sourceKey(object)
                    .destinationBucket(bucket)
                    .destinationKey(object)
                    .metadataDirective(MetadataDirective.REPLACE)
                    .metadata(Map.of("airlock-touched", String.valueOf(clock.millis()))));
        }
        return true;
    }

    @Override
    public void putCopy(String key, byte[] bytes) throws IOException {
        put(key, bytes);
    }

    @Override
    public void putCopy(String key, InputStream in) throws IOException {
        put(key, in);
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object(key)));
        } catch (SdkException e) {
            throw failure("read blob " + key, e);
        }
    }

    @Override
    public long size(String key) throws IOException {
        return head(key).contentLength();
    }

    @Override
    public boolean exists(String key) {
        try {
            head(key);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(object(key)));
        } catch (SdkException e) {
            throw failure("delete blob " + key, e);
        }
    }

    @Override
    public Set<String> keys() throws IOException {
        Set<String> keys = new HashSet<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(
                            b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize))
                    .contents()) {
                String name = o.key().substring(prefix.length());
                if (KEY.matcher(name).matches()) {
                    keys.add(name);
                }
            }
        } catch (SdkException e) {
            throw failure("list blobs", e);
        }
        return keys;
    }

    @Override
    public long writtenAt(String key) throws IOException {
        return head(key).lastModified().toEpochMilli();
    }

    private HeadObjectResponse head(String key) throws IOException {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(object(key)));
        } catch (SdkException e) {
            throw failure("look up blob " + key, e);
        }
    }

    /** An SDK failure as the {@link IOException} callers expect; a missing object as {@link NoSuchFileException}. */
    private IOException failure(String what, SdkException e) {
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s && s.statusCode() == 404)) {
            NoSuchFileException missing = new NoSuchFileException(what + " in s3://" + bucket + "/" + prefix);
            missing.initCause(e);
            return missing;
        }
        return new IOException("cannot " + what + " in S3 bucket " + bucket + ": " + e.getMessage(), e);
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
