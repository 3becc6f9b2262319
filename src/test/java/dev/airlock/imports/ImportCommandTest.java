package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ./airlock import} as an operator runs it, against a small registry served over HTTP. */
class ImportCommandTest {
    private final HttpServer registry;
    private final String url;
    private final Map<String, byte[]> tarballs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Path data;

    ImportCommandTest() throws IOException {
        data = Files.createTempDirectory("airlock-import");
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        url = "http://127.0.0.1:" + registry.getAddress().getPort() + "/";
        ObjectNode doc = Json.object();
        doc.put("name", "through");
        doc.putObject("dist-tags").put("latest", "2.3.8");
        ObjectNode versions = doc.putObject("versions");
        for (String v : new String[] {"2.3.7", "2.3.8"}) {
            byte[] tgz = Tarballs.packageTgz(Tarballs.manifest("through", v));
            tarballs.put("/through/-/through-" + v + ".tgz", tgz);
            ObjectNode m = versions.putObject(v).put("name", "through").put("version", v);
            m.putObject("dist")
                    .put(
                            "integrity",
                            Hashes.sri("sha512", Hashes.digest("SHA-512").digest(tgz)))
                    .put("tarball", url + "through/-/through-" + v + ".tgz");
        }
        registry.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body =
                    path.equals("/through") ? Json.write(doc).getBytes(StandardCharsets.UTF_8) : tarballs.get(path);
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                if (body != null) {
                    out.write(body);
                }
            }
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
    }

    private Path lockfile(String integrityOf237) {
        try {
            Path f = Files.createTempDirectory("proj").resolve("package-lock.json");
            Files.writeString(f, """
                    {"name":"p","lockfileVersion":3,"requires":true,"packages":{
                      "":{"name":"p","dependencies":{"through":"2.3.7","local":"file:../local"}},
                      "node_modules/through":{"version":"2.3.7","resolved":"%sthrough/-/through-2.3.7.tgz",
                        "integrity":"%s"},
                      "node_modules/local":{"resolved":"../local","link":true}}}
                    """.formatted(url, integrityOf237));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void importsWhatALockfilePinsThenEveryVersionOfANameThenNothingTheSecondTime() {
        String good =
                Hashes.sri("sha512", Hashes.digest("SHA-512").digest(tarballs.get("/through/-/through-2.3.7.tgz")));

        String first = AirlockCommand.run(
                "",
                "import",
                "--data",
                data.toString(),
                "--registry",
                url,
                "--lockfile",
                lockfile(good).toString());
        String second = AirlockCommand.run("", "import", "--data", data.toString(), "--registry", url, "through");
        String third = AirlockCommand.run("", "import", "--data", data.toString(), "--registry", url, "through");

        assertThat(first)
                .startsWith("exit=0")
                .contains("Imported 1 version(s) of 1 package(s) from " + url + " (0 already present, 0 refused).");
        assertThat(second).startsWith("exit=0").contains("Imported 1 version(s) of 1 package(s)");
        assertThat(third)
                .startsWith("exit=0")
                .contains("Imported 0 version(s) of 1 package(s) from " + url + " (2 already present, 0 refused).");
    }

    @Test
    void allVersionsTakesEveryVersionOfWhatTheLockfileNamesAndStillChecksThePinnedOne() {
        String wrong = "sha512-" + "A".repeat(86) + "==";

        String out = AirlockCommand.run(
                "",
                "import",
                "--data",
                data.toString(),
                "--registry",
                url,
                "--all-versions",
                "--lockfile",
                lockfile(wrong).toString());

        assertThat(out)
                .startsWith("exit=1")
                .contains("refused through@2.3.7: the tarball does not match the lockfile's integrity")
                .contains("Imported 1 version(s) of 1 package(s) from " + url + " (0 already present, 1 refused).");
    }

    @Test
    void aLockfileIntegrityTheSourceDoesNotMatchIsRefusedWithExitCodeOne() {
        String wrong = "sha512-" + "A".repeat(86) + "==";

        String out = AirlockCommand.run(
                "",
                "import",
                "--data",
                data.toString(),
                "--registry",
                url,
                "--lockfile",
                lockfile(wrong).toString());

        assertThat(out)
                .startsWith("exit=1")
                .contains("refused through@2.3.7: the tarball does not match the lockfile's integrity")
                .contains("(0 already present, 1 refused)");
    }

    @Test
    void anImportBesideARunningServerWritesTheServersTarballUrlsWhateverItsOwnConfigurationSays() {
        try (TestRegistry served = TestRegistry.start()) {
            String out =
                    AirlockCommand.run("", "import", "--data", served.dataDir.toString(), "--registry", url, "through");

            assertThat(out).startsWith("exit=0");
            assertThat(served.http
                            .get("/through", null)
                            .json()
                            .path("versions")
                            .path("2.3.8")
                            .path("dist")
                            .path("tarball")
                            .asText())
                    .isEqualTo(served.url() + "through/-/through-2.3.8.tgz");
        }
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsRead() {
        assertThat(AirlockCommand.run("", "import", "--data", data.toString(), "--registry", url, "--access", "x", "a"))
                .startsWith("exit=1")
                .contains("--access must be public or restricted");
        assertThat(AirlockCommand.run(
                        "", "import", "--data", data.toString(), "--registry", url, "--owner", "nobody", "a"))
                .startsWith("exit=1")
                .contains("--owner nobody: no such user");
        assertThat(AirlockCommand.run("", "import", "--data", data.toString(), "--registry", url))
                .startsWith("exit=1")
                .contains("name them, or give --lockfile");
        assertThat(AirlockCommand.run(
                        "", "import", "--data", data.toString(), "--registry", url, "--token-env", "NO_SUCH_VAR", "a"))
                .startsWith("exit=1")
                .contains("--token-env NO_SUCH_VAR: that environment variable is not set");
    }
}
