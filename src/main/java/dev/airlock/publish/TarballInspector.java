package dev.airlock.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.platform.tarball.TarballRefusedException;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publish-time view of an npm tarball, read with {@link TarballReader} (the files npm would install, or a refusal) under
 * this registry's limits: the package.json at the top of the package and what the server records about the files.
 */
public final class TarballInspector {
    private static final int MAX_PACKAGE_JSON = 1 << 20;
    private final TarballReader.Limits limits;

    public TarballInspector(long maxUnpackedBytes, int maxEntries) {
        this.limits = new TarballReader.Limits(maxUnpackedBytes, maxEntries);
    }

    /** What the tarball holds: package.json, files (path → size, without the top directory), totals. */
    public record Inspection(JsonNode packageJson, Map<String, Long> files, long unpackedSize) {
        public boolean has(String path) {
            return files.containsKey(path);
        }
    }

    /** Reads the stream to its end (and closes it). */
    public Inspection inspect(InputStream tgz) {
        Map<String, Long> files = new LinkedHashMap<>();
        JsonNode[] packageJson = {null};
        try {
            TarballReader.read(tgz, limits, (path, size, content) -> {
                files.put(path, size);
                if (path.equals("package.json")) {
                    if (size > MAX_PACKAGE_JSON) {
                        throw invalid("package.json is larger than 1 MiB");
                    }
                    packageJson[0] = parsePackageJson(content.readAllBytes());
                }
            });
        } catch (TarballRefusedException e) {
            throw invalid(e.reason());
        }
        if (packageJson[0] == null) {
            throw invalid("the tarball has no package.json in its top-level directory");
        }
        long unpacked = files.values().stream().mapToLong(Long::longValue).sum();
        return new Inspection(packageJson[0], files, unpacked);
    }

    private static JsonNode parsePackageJson(byte[] bytes) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw invalid("package.json in the tarball is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw invalid("package.json in the tarball is not valid JSON");
        }
    }

    static AirlockException invalid(String why) {
        return new AirlockException(ErrorCode.UNPROCESSABLE, "Invalid tarball: " + why + ". Nothing was published.");
    }
}
