package dev.airlock.testing;

import dev.airlock.platform.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server on a random loopback port: S3Proxy (Maven Central's {@code org.gaul:s3proxy}, copied to
 * target/s3proxy/s3proxy.jar by the build before the integration tests) with its filesystem backend in a temporary
 * directory, one bucket created, and fixed credentials. It runs as its own Java process because it brings its own
 * Jetty and logging, which must not meet ours on one classpath. {@code -Dairlock.s3proxy=JAR} names another jar.
 */
public final class TestS3 implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    private static final String ACCESS_KEY = "AIRLOCKTESTKEY";
    private static final String SECRET_KEY = "airlock-test-secret-key-0123456789";

    private final Path home;
    private final int port;
    private final String bucket = "airlock-blobs";
    private final Process process;

    private TestS3(Path home) throws IOException {
        this.home = home;
        this.port = TestRegistry.freePort();
        Path data = Files.createDirectories(home.resolve("data"));
        // the filesystem backend keeps a bucket as a directory: creating it here is creating the bucket
        Files.createDirectories(data.resolve(bucket));
        Path properties = Files.writeString(
                home.resolve("s3proxy.properties"),
                String.join(
                        "\n",
                        "s3proxy.endpoint=" + endpoint(),
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem-nio2",
                        "jclouds.filesystem.basedir=" + data,
                        ""));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        jar().toString(),
                        "--properties",
                        properties.toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("s3proxy.log").toFile());
        pb.environment().put("LOG_LEVEL", "warn");
        this.process = pb.start();
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("airlock.s3proxy", "target/s3proxy/s3proxy.jar"))
                .toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no S3Proxy jar at " + jar + ": the build copies it there in the"
                    + " pre-integration-test phase (mvn verify), or run: mvn dependency:copy@s3proxy");
        }
        return jar;
    }

    /** Starts a new server with an empty bucket {@link #bucket()}. */
    public static TestS3 start() {
        TestS3 s3 = null;
        try {
            s3 = new TestS3(Files.createTempDirectory("airlock-s3"));
            s3.awaitReady();
            return s3;
        } catch (IOException | RuntimeException e) {
            if (s3 != null) {
                s3.close();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + "; see " + log());
            }
            try {
                // any answer (403 to an anonymous request) means it is listening
                http.send(
                        HttpRequest.newBuilder(URI.create(endpoint() + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("S3Proxy did not answer within " + START + "; see " + log());
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String bucket() {
        return bucket;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** The server's log file. */
    public Path log() {
        return home.resolve("s3proxy.log");
    }

    /** The {@code blobs.s3.*} settings that point Airlock at this server's bucket. */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("blobs.s3.bucket", bucket);
        s.put("blobs.s3.endpoint", endpoint());
        s.put("blobs.s3.region", "us-east-1");
        s.put("blobs.s3.pathStyle", "true");
        s.put("blobs.s3.accessKey", ACCESS_KEY);
        s.put("blobs.s3.secretKey", SECRET_KEY);
        return s;
    }

    /** The same as environment variables ({@code AIRLOCK_BLOBS_S3_BUCKET} …), for {@code ./airlock} processes. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        settings().forEach((k, v) -> env.put(ConfigLoader.envName(k), v));
        return env;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files2.deleteTree(home);
    }
}
