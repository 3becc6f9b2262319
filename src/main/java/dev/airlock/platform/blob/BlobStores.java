package dev.airlock.platform.blob;

import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.S3Config;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The configured blob store: an S3 bucket when {@code blobs.s3.bucket} is set, else files in {@code blobs.dir}. */
public final class BlobStores {
    private BlobStores() {}

    public static BlobStore open(AirlockConfig config) {
        return config.s3().enabled() ? s3(config.s3()) : new FileSystemBlobStore(config.blobDir());
    }

    /**
     * A store in the bucket {@code s3} names, checked at once: a bucket that is missing or cannot be reached is an
     * {@link IllegalArgumentException} whose message tells the operator what to fix.
     */
    public static S3BlobStore s3(S3Config s3) {
        return s3(s3, 1000);
    }

    /** As {@link #s3(S3Config)}, listing at most {@code pageSize} keys per request. */
    public static S3BlobStore s3(S3Config s3, int pageSize) {
        if (!s3.enabled()) {
            throw new IllegalArgumentException("blobs.s3.bucket is not set");
        }
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .region(Region.of(s3.region()))
                .forcePathStyle(s3.pathStyle())
                .credentialsProvider(
                        s3.accessKey().isEmpty()
                                ? DefaultCredentialsProvider.builder().build()
                                : StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
        if (!s3.endpoint().isEmpty()) {
            builder.endpointOverride(URI.create(s3.endpoint()));
        }
        S3Client client = builder.build();
        try {
            check(client, s3);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new S3BlobStore(client, s3.bucket(), s3.prefix(), pageSize, Clock.systemUTC());
    }

    private static void check(S3Client client, S3Config s3) {
        String where = "S3 bucket \"" + s3.bucket() + "\" at "
                + (s3.endpoint().isEmpty() ? "AWS region " + s3.region() : s3.endpoint());
        try {
            client.headBucket(b -> b.bucket(s3.bucket()));
        } catch (NoSuchBucketException e) {
            throw new IllegalArgumentException(where + " does not exist: create it, or correct blobs.s3.bucket"
                    + " / blobs.s3.endpoint (and blobs.s3.pathStyle, which most S3-compatible servers need)");
        } catch (S3Exception e) {
            String hint = switch (e.statusCode()) {
                case 404 ->
                    "does not exist: create it, or correct blobs.s3.bucket / blobs.s3.endpoint"
                            + " (and blobs.s3.pathStyle, which most S3-compatible servers need)";
                case 301, 400 -> "answers from another region or address: correct blobs.s3.region / blobs.s3.endpoint";
                case 401, 403 ->
                    "refused the credentials: check blobs.s3.accessKey / blobs.s3.secretKey and that"
                            + " they may s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject";
                default -> "answered HTTP " + e.statusCode() + " (" + message(e) + ")";
            };
            throw new IllegalArgumentException(where + " " + hint);
        } catch (SdkClientException e) {
            throw new IllegalArgumentException(
                    "cannot reach " + where + ": " + message(e) + " (check blobs.s3.endpoint and the network)");
        } catch (SdkException e) {
            throw new IllegalArgumentException(where + " cannot be used: " + message(e));
        }
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}
