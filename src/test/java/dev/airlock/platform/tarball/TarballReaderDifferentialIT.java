package dev.airlock.platform.tarball;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.publish.TarballInspector;
import dev.airlock.shared.AirlockException;
import dev.airlock.testing.Clients;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airlock's tarball reader against the npm CLI itself: every tarball of {@link TarballCorpus} is extracted by pacote
 * (node-tar) from the npm 11.19.1 the build installs, and read by {@link TarballReader}. For each, Airlock must either
 * refuse it at publish, or list exactly the files npm wrote, byte for byte. Each case's expected verdict is checked too,
 * so that a reader refusing everything cannot pass.
 */
class TarballReaderDifferentialIT {
    static final long LIMIT = 1L << 30;

    @Test
    void airlockReadsEveryTarballAsNpmInstallsItOrRefusesIt(@TempDir Path dir) throws Exception {
        List<TarballCorpus.Case> cases = TarballCorpus.cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
        Map<String, TarballCorpus.Case> byFile = new HashMap<>();
        Map<String, JsonNode> npm = new HashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Path tgz = dir.resolve("case" + i + ".tgz");
            Files.write(tgz, cases.get(i).tgz());
            byFile.put(tgz.getFileName().toString(), cases.get(i));
            npm.put(tgz.getFileName().toString(), npmExtract(tgz, dir));
        }

        List<String> disagreements = new ArrayList<>();
        for (Map.Entry<String, TarballCorpus.Case> e : byFile.entrySet()) {
            TarballCorpus.Case c = e.getValue();
            JsonNode node = npm.get(e.getKey());
            if (node == null) {
                disagreements.add(c.name() + ": the npm script gave no answer");
                continue;
            }
            String refusal = publishRefusal(c.tgz());
            System.out.printf(
                    "%-45s airlock: %-9s npm: %s%n",
                    c.name(),
                    refusal == null ? "publishes" : "refuses",
                    node.path("ok").asBoolean()
                            ? "installs " + node.path("files").size() + " files "
                                    + Json.write(node.path("files")).replaceAll("\"[0-9a-f]{64}\"", "…")
                            : node.path("error").asText());
            if (refusal == null && !c.accepted()) {
                disagreements.add(c.name() + ": Airlock publishes it, expected a refusal");
            } else if (refusal != null && c.accepted()) {
                disagreements.add(c.name() + ": Airlock refuses it (" + refusal + "), expected it to be published");
            }
            if (refusal != null) {
                continue;
            }
            if (!node.path("ok").asBoolean()) {
                disagreements.add(c.name() + ": Airlock accepts it but npm fails to extract it: "
                        + node.path("error").asText());
                continue;
            }
            Map<String, String> ours = airlockFiles(c.tgz());
            Map<String, String> theirs = new TreeMap<>();
            node.path("files")
                    .properties()
                    .iterator()
                    .forEachRemaining(f -> theirs.put(f.getKey(), f.getValue().asText()));
            if (!ours.equals(theirs)) {
                disagreements.add(c.name() + ": Airlock reads " + ours + " but npm installs " + theirs);
            }
        }
        assertThat(disagreements).as("cases where Airlock and npm disagree").isEmpty();
    }

    static Path script() {
        Path p = Path.of("src/test/resources/tarball/npm-extract.js").toAbsolutePath();
        assertThat(p).exists();
        return p;
    }

    /** One Node process per tarball: node-tar can throw where nothing catches it, which ends the process. */
    static JsonNode npmExtract(Path tgz, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("npm.out");
        Path err = dir.resolve("npm.err");
        Process p = new ProcessBuilder(
                        "node",
                        script().toString(),
                        Clients.root().resolve("node_modules/npm").toString(),
                        tgz.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES))
                .as("npm extraction of " + tgz + " finishes")
                .isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            ObjectNode crashed = Json.object();
            crashed.put("ok", false);
            crashed.put(
                    "error",
                    "node exited with " + p.exitValue() + ": "
                            + Files.readString(err).lines().findFirst().orElse(""));
            return crashed;
        }
        return Json.parse(lines.get(0));
    }

    /** The publish path's verdict: null when it would publish, else why not. */
    static String publishRefusal(byte[] tgz) {
        try {
            new TarballInspector(LIMIT, 100_000).inspect(new ByteArrayInputStream(tgz));
            return null;
        } catch (AirlockException e) {
            return e.getMessage();
        }
    }

    static Map<String, String> airlockFiles(byte[] tgz) {
        Map<String, String> files = new TreeMap<>();
        TarballReader.read(
                new ByteArrayInputStream(tgz), new TarballReader.Limits(LIMIT, 100_000), (path, size, content) -> {
                    MessageDigest sha = Hashes.digest("SHA-256");
                    byte[] bytes = content.readAllBytes();
                    assertThat(bytes).as(path + " has its announced size").hasSize((int) size);
                    files.put(path, Hashes.hex(sha.digest(bytes)));
                });
        return files;
    }
}
