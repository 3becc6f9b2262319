package dev.airlock.testing;

import dev.airlock.platform.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Several real Airlock nodes ({@code java -jar target/airlock.jar serve}, each its own JVM and data directory) on one
 * fresh PostgreSQL database and one S3 bucket (a real S3 API server), behind a real nginx that balances round robin over them. The nodes
 * share what a clustered deployment shares through configuration: the database URL, the blob store, the key that
 * seals secrets at rest ({@code security.secretKey}), the registry signing key file and the public URL (the
 * balancer's).
 */
public final class Cluster implements AutoCloseable {
    public final Path dir;
    public final String databaseUrl;
    public final List<Node> nodes = new ArrayList<>();
    public final Nginx nginx;
    /** Requests through the balancer. */
    public final Http http;

    private final Map<String, String> env = new HashMap<>();
    /** The blob store every node uses: a real S3 API server. */
    private final TestS3 s3;

    private Cluster(Path dir, int size, Map<String, String> settings) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.databaseUrl = TestDatabase.fresh();
        this.s3 = TestS3.start();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(freePort());
        }
        this.nginx = Nginx.start(dir.resolve("nginx"), ports);
        this.http = new Http(nginx.url());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        env.put("AIRLOCK_DATABASE_URL", databaseUrl);
        env.putAll(blobStore());
        env.put("AIRLOCK_SECURITY_SECRET_KEY", Base64.getEncoder().encodeToString(secret));
        env.put(
                "AIRLOCK_SECURITY_SIGNING_KEY_FILE",
                signingKey(dir.resolve("signing.key")).toString());
        env.put("AIRLOCK_SERVER_PUBLIC_URL", nginx.url().replaceFirst("/$", ""));
        env.put("AIRLOCK_SERVER_TRUSTED_PROXIES", "127.0.0.1");
        env.put("AIRLOCK_AUTH_ALLOW_SIGNUP", "true");
        settings.forEach((k, v) -> env.put(ConfigLoader.envName(k), v));
        for (int i = 0; i < size; i++) {
            nodes.add(new Node("node" + i, ports.get(i), dir.resolve("node" + i)));
        }
    }

    /** The blob store every node uses: one bucket on a real S3 API server. */
    private Map<String, String> blobStore() {
        return s3.env();
    }

    /** Starts {@code size} nodes one after the other (the first applies the migrations), each ready before the next. */
    public static Cluster start(Path dir, int size, Map<String, String> settings) {
        try {
            Cluster c = new Cluster(dir, size, settings);
            try {
                for (Node n : c.nodes) {
                    n.start();
                }
            } catch (RuntimeException e) {
                c.close(); // no nginx or node outlives a failed start
                throw e;
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    /** Signs up a user through the balancer (auth.allowSignup) and returns their session token. */
    public String signup(String name) {
        Http.Response r = http.put(
                "-/user/org.couchdb.user:" + name,
                null,
                "{\"name\":\"" + name + "\",\"password\":\"" + name + "-password\",\"email\":\"" + name
                        + "@example.com\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("signup of " + name + " failed: " + r.status() + " " + r.body());
        }
        return r.json().path("token").asText();
    }

    /** A P-256 key pair in a PEM file (PKCS#8 private key, then the public key): the one key every node signs with. */
    private static Path signingKey(Path file) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            java.security.KeyPair pair = g.generateKeyPair();
            Files.writeString(
                    file,
                    pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                            + pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.kill();
        }
        nginx.close();
        s3.close();
        TestDatabase.drop(Path.of("/nonexistent/" + databaseUrl.replaceAll(".*/([^/?]+)(\\?.*)?$", "$1")));
    }

    /** One Airlock process of the cluster: a fixed port (the balancer's configuration names it) and data directory. */
    public final class Node {
        public final String name;
        public final int port;
        public final Path data;
        public final Http http;
        private volatile Process process;
        private int starts;

        Node(String name, int port, Path data) {
            this.name = name;
            this.port = port;
            this.data = data;
            this.http = new Http(url());
        }

        public String url() {
            return "http://127.0.0.1:" + port + "/";
        }

        /** Starts the JVM (the java binary itself, no wrapper shell) and waits until the node is ready. */
        public void start() {
            try {
                Files.createDirectories(data);
                List<String> cmd = new ArrayList<>(List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx384m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        Path.of("target/airlock.jar").toAbsolutePath().toString(),
                        "serve",
                        "--data",
                        data.toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port)));
                starts++;
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                data.resolve("server-" + starts + ".log").toFile()));
                pb.environment().keySet().removeIf(k -> k.startsWith("AIRLOCK_") || k.equals("JAVA_TOOL_OPTIONS"));
                pb.environment().putAll(env);
                process = pb.start();
                awaitReady();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Ready: {@code /-/health/ready} answers 200; where the node has no health endpoints yet (it answers neither
         * 200 nor 503), {@code /-/ping} answering 200 is taken instead.
         */
        private void awaitReady() {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited while starting:\n" + log());
                }
                try {
                    int ready = status(client, "-/health/ready");
                    if (ready == 200 || ready != 503 && status(client, "-/ping") == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                sleep(100);
            }
            throw new IllegalStateException(name + " not ready within 120 s:\n" + log());
        }

        private int status(HttpClient client, String path) throws IOException {
            try {
                return client.send(
                                HttpRequest.newBuilder(URI.create(url() + path))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Graceful stop (SIGTERM, what systemd and container runtimes send); returns the exit code. */
        public int stop() {
            process.destroy();
            return await(60);
        }

        /** SIGKILL to the JVM itself: no shutdown hook, no drain. */
        public void kill() {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                await(30);
            }
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        public long pid() {
            return process.pid();
        }

        private int await(int seconds) {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + " did not exit within " + seconds + " s:\n" + log());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** What the latest start of this node printed. */
        public String log() {
            try {
                Path f = data.resolve("server-" + starts + ".log");
                return Files.exists(f) ? Files.readString(f) : "";
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
