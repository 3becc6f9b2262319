package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.ContainerImage;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image the build makes ({@code target/airlock-image.tar}: Jib on the debootstrapped Debian base), run
 * without Docker ({@link ContainerImage}: its layers unpacked, its entry point started from its config inside them
 * with {@code unshare} and chroot, as its user): an operator command given as arguments adds a user, the default
 * command serves, {@code /-/health/ready} answers, and the real npm client publishes and installs through it; the
 * process is not root and the registry's state is in the {@code /data} volume. {@code -Dimage.skip=true} (no image
 * built) leaves it out.
 */
class ImageIT {
    static final Path IMAGE = Path.of("target/airlock-image.tar");

    @TempDir
    static Path tmp;

    static ContainerImage image;
    static Process server;
    static Path serverLog;

    @BeforeAll
    static void unpack() {
        Assumptions.assumeFalse(
                Boolean.getBoolean("airlock.image.skip"), "-Dimage.skip=true: no container image built");
        assertThat(IMAGE)
                .as("the build writes the image in pre-integration-test")
                .exists();
        image = ContainerImage.unpack(IMAGE, tmp.resolve("root"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            ContainerImage.kill(server);
        }
        TestDatabase.drop(image == null ? tmp : image.root.resolve("data"));
    }

    @Test
    void theImageIsConfiguredForAnUnprivilegedUserAndADataVolume() {
        assertThat(image.layers).as("the base and Jib's application layers").isGreaterThan(1);
        assertThat(image.user()).as("User %s", image.config.path("User")).doesNotStartWith("0:");
        assertThat(Files2.read(image.root.resolve("etc/passwd")))
                .contains("airlock:x:" + image.user().split(":")[0] + ":");
        assertThat(image.config.path("Volumes").has("/data")).isTrue();
        assertThat(image.config.path("WorkingDir").asText()).isEqualTo("/data");
        assertThat(image.env()).containsEntry("AIRLOCK_DATA_DIR", "/data");
        assertThat(image.owner("/data"))
                .as("the volume belongs to the image's user")
                .isEqualTo(image.user());
        assertThat(image.root.resolve("usr/share/doc"))
                .as("the base carries no documentation")
                .isEmptyDirectory();
        assertThat(image.cmd()).containsExactly("serve");
    }

    @Test
    void itServesTheRealNpmClientAsItsUserWithItsStateInTheVolume() throws Exception {
        Path data = image.root.resolve("data");
        Map<String, String> db = TestDatabase.envFor(data);

        // `docker run -i IMAGE user add …`: arguments replace the image's Cmd
        ProcessBuilder add =
                image.command(List.of("user", "add", "alice", "--email", "alice@example.com", "--password-stdin"), db);
        add.redirectErrorStream(true);
        Process p = image.start(add);
        p.getOutputStream().write("alice-password\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        // `docker run -e AIRLOCK_SERVER_PORT=… IMAGE`: the image's own command
        int port = freePort();
        serverLog = tmp.resolve("server.log");
        ProcessBuilder serve = image.command(List.of(), merge(db, Map.of("AIRLOCK_SERVER_PORT", String.valueOf(port))));
        serve.redirectErrorStream(true).redirectOutput(serverLog.toFile());
        server = image.start(serve);
        String url = "http://127.0.0.1:" + port + "/";
        awaitReady(url);

        // the registry runs as the image's user, in the image's root
        ProcessHandle jvm = server.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/java"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no java process under " + server.pid()));
        String status = Files.readString(Path.of("/proc/" + jvm.pid() + "/status"));
        String uid = image.user().split(":")[0];
        assertThat(status).containsPattern("(?m)^Uid:\\s+" + uid + "\\s+" + uid + "\\s");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + jvm.pid() + "/root")))
                .isEqualTo(image.root.toRealPath());

        String token = new Http(url)
                .put("-/user/org.couchdb.user:alice", null, "{\"name\":\"alice\",\"password\":\"alice-password\"}")
                .json()
                .path("token")
                .asText();
        assertThat(token).as("alice logs in").isNotEmpty();
        Npm npm = Npm.withToken(tmp.resolve("npm-home"), url, token);
        Path lib = tmp.resolve("image-lib");
        Files2.write(lib.resolve("package.json"), "{\"name\":\"image-lib\",\"version\":\"1.0.0\",\"license\":\"MIT\"}");
        Files2.write(lib.resolve("index.js"), "module.exports = 'served from the image';\n");
        ok(npm.run(lib, "publish"));
        Path consumer = tmp.resolve("consumer");
        Files2.write(consumer.resolve("package.json"), "{\"name\":\"consumer\",\"version\":\"1.0.0\"}");
        ok(npm.run(consumer, "install", "image-lib"));
        assertThat(consumer.resolve("node_modules/image-lib/index.js"))
                .content()
                .contains("served from the image");

        // the state is in /data: the tarball (and on the embedded default, the database), owned by the image's user
        byte[] tarball = new Http(url).bytes("image-lib/-/image-lib-1.0.0.tgz", null);
        String key =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(tarball));
        Path blob = data.resolve("blobs")
                .resolve(key.substring(0, 2))
                .resolve(key.substring(2, 4))
                .resolve(key);
        assertThat(blob).as("the tarball in /data/blobs").hasBinaryContent(tarball);
        if (!TestDatabase.postgres()) {
            assertThat(data.resolve("airlock.db")).exists();
        }
        assertThat(image.owner(root(blob))).isEqualTo(image.user());

        // a runtime's stop (SIGTERM to the container's first process, the JVM) ends it, and its namespace with it
        assertThat(ContainerImage.stop(server, 60)).as(log()).isTrue();
        assertThat(jvm.isAlive()).isFalse();
    }

    private static void awaitReady(String url) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertThat(server.isAlive()).as("the container exited:\n%s", log()).isTrue();
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(url + "-/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within 180 s:\n" + log());
    }

    private static String log() {
        return Optional.ofNullable(serverLog)
                .filter(Files::exists)
                .map(Files2::read)
                .orElse("");
    }

    /** A path under the unpacked root as the image sees it. */
    private static String root(Path p) {
        return "/" + image.root.relativize(p);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
