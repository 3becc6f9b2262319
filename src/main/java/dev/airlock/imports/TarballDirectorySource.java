package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.platform.npm.PackumentBytes;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.platform.tarball.TarballRefusedException;
import dev.airlock.publish.NpmPublishManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.semver4j.Semver;

/**
 * A directory of {@code .tgz} files (searched recursively), indexed when constructed: each tarball is read with the
 * faithful reader, and its version's manifest is what {@code npm publish} (npm 11.19.1) would have sent for its
 * package.json ({@link NpmPublishManifest}), with a {@code dist} computed from the bytes (sha512 integrity, sha1
 * shasum, file count, unpacked size) and the readme npm would publish. A tarball that cannot be read, that has no name or
 * no valid version, or that claims a name@version another (different) tarball claims too, is not imported: each is
 * listed in {@link #skipped()}. The latest tag is the highest version that is not a prerelease (else the highest).
 */
public final class TarballDirectorySource implements ImportSource {
    private static final int MAX_PACKAGE_JSON = 1 << 20;
    private static final int MAX_README = 1 << 20;
    /** The readme step of npm's package-json library: README or README.* at the top, a markdown-ish extension preferred. */
    private static final Pattern README = Pattern.compile("^README(\\..*)?$", Pattern.CASE_INSENSITIVE);

    /** What npm publishes as the readme of a package that has none. */
    static final String NO_README = "ERROR: No README data found!";

    private static final Pattern MARKDOWN = Pattern.compile("\\.m?a?r?k?d?o?w?n?$", Pattern.CASE_INSENSITIVE);

    private final Path root;
    private final TarballReader.Limits limits;
    private final List<String> skipped = new ArrayList<>();
    /** name → version → the tarball that holds it. */
    private final Map<String, Map<String, Indexed>> index = new TreeMap<>();

    private record Indexed(Path file, ObjectNode manifest, String readme) {
        String integrity() {
            return manifest.path("dist").path("integrity").asText();
        }
    }

    public TarballDirectorySource(Path dir, TarballReader.Limits limits) throws IOException {
        this.root = LocalFiles.root(dir);
        this.limits = limits;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".tgz"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        }
        Map<String, List<Path>> ambiguous = new LinkedHashMap<>();
        for (Path file : files) {
            if (!LocalFiles.inside(root, file)) {
                skip(file, "a symbolic link that leads out of " + root);
                continue;
            }
            Indexed found;
            try {
                found = read(file);
            } catch (TarballRefusedException e) {
                skip(file, e.reason());
                continue;
            } catch (IOException | UncheckedIOException e) {
                skip(file, e.getMessage());
                continue;
            }
            if (found == null) {
                continue;
            }
            String name = found.manifest().path("name").asText();
            String version = found.manifest().path("version").asText();
            Map<String, Indexed> versions = index.computeIfAbsent(name, n -> new LinkedHashMap<>());
            Indexed earlier = versions.get(version);
            String id = name + "@" + version;
            if (ambiguous.containsKey(id)) {
                ambiguous.get(id).add(file);
            } else if (earlier == null) {
                versions.put(version, found);
            } else if (!earlier.integrity().equals(found.integrity())) {
                versions.remove(version);
                ambiguous.put(id, new ArrayList<>(List.of(earlier.file(), file)));
            } // else: the same bytes twice; one copy is enough
        }
        ambiguous.forEach((id, claims) -> claims.forEach(f -> skip(
                f,
                id + " is claimed by " + claims.size() + " different tarballs ("
                        + String.join(", ", claims.stream().map(Path::toString).toList())
                        + "); none of them is imported")));
        index.values().removeIf(Map::isEmpty);
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public String kind() {
        return "tarballs";
    }

    /** "skipped FILE: reason" for each tarball that is not imported. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    @Override
    public List<String> names() {
        return List.copyOf(index.keySet());
    }

    @Override
    public SourcePackage load(String name) {
        Map<String, Indexed> versions = index.get(name);
        if (versions == null) {
            return null;
        }
        List<SourceVersion> list = new ArrayList<>();
        versions.values().stream()
                .sorted(Comparator.comparing(
                        i -> new Semver(i.manifest().path("version").asText())))
                .forEach(i -> list.add(new SourceVersion(
                        i.manifest().path("version").asText(),
                        i.manifest().deepCopy(),
                        null,
                        null,
                        i.readme(),
                        maxBytes -> LocalFiles.spool(root, i.file(), maxBytes))));
        return new SourcePackage(
                name, Map.of("latest", PackumentBytes.highestRelease(versions.keySet())), null, List.of(), list);
    }

    /** The tarball's version as npm would publish it, or null (and the file listed as skipped). */
    private Indexed read(Path file) throws IOException {
        MessageDigest sha512 = Hashes.digest("SHA-512");
        MessageDigest sha1 = Hashes.digest("SHA-1");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha512.update(buf, 0, n);
                sha1.update(buf, 0, n);
            }
        }
        Map<String, Long> files = new LinkedHashMap<>();
        Map<String, String> readmes = new LinkedHashMap<>();
        JsonNode[] packageJson = {null};
        TarballReader.read(Files.newInputStream(file), limits, (path, size, content) -> {
            files.put(path, size);
            if (path.equals("package.json")) {
                if (size > MAX_PACKAGE_JSON) {
                    throw new TarballRefusedException("its package.json is larger than 1 MiB");
                }
                try {
                    packageJson[0] = Json.MAPPER.readTree(content.readAllBytes());
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    packageJson[0] = Json.MAPPER.getNodeFactory().textNode("not JSON");
                }
            } else if (!path.contains("/") && README.matcher(path).matches()) {
                readmes.put(path, new String(content.readNBytes(MAX_README), StandardCharsets.UTF_8));
            }
        });
        if (packageJson[0] == null || !packageJson[0].isObject()) {
            skip(
                    file,
                    packageJson[0] == null
                            ? "it has no package.json in its top-level folder"
                            : "its package.json is not a JSON object");
            return null;
        }
        ObjectNode manifest = NpmPublishManifest.prepare(packageJson[0], files.keySet());
        String name = manifest.path("name").asText("");
        String version = manifest.path("version").asText("");
        if (name.isEmpty() || version.isEmpty()) {
            skip(file, "its package.json has no " + (name.isEmpty() ? "name" : "version"));
            return null;
        }
        if (Semver.parse(version) == null) {
            skip(file, "its version \"" + version + "\" is not a valid semver version (npm publish refuses it)");
            return null;
        }
        manifest.put("_id", name + "@" + version);
        // npm keeps a readme package.json has, else reads the file, else says there is none; it travels beside
        // the manifest (registries keep one readme per package, not one per version)
        JsonNode own = manifest.remove("readme");
        String readme = own != null && own.isTextual() && !own.asText().isEmpty() ? own.asText() : null;
        String readmeFile = readme == null ? readmeFile(readmes.keySet()) : null;
        if (readmeFile != null) {
            manifest.put("readmeFilename", readmeFile);
            readme = readmes.get(readmeFile);
        }
        ObjectNode dist = manifest.putObject("dist");
        dist.put("integrity", Hashes.sri("sha512", sha512.digest()));
        dist.put("shasum", Hashes.hex(sha1.digest()));
        dist.put("fileCount", files.size());
        dist.put(
                "unpackedSize",
                files.values().stream().mapToLong(Long::longValue).sum());
        return new Indexed(file, manifest, readme == null ? NO_README : readme);
    }

    /** The first README with a markdown-like extension, else the last plain README (as npm's readme step). */
    static String readmeFile(Iterable<String> candidates) {
        String chosen = null;
        for (String f : candidates) {
            if (MARKDOWN.matcher(f).find()) {
                return f;
            }
            if (f.endsWith("README")) {
                chosen = f;
            }
        }
        return chosen;
    }

    private void skip(Path file, String reason) {
        skipped.add("skipped " + file + ": " + reason);
    }
}
