package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The real-world corpus: pinned projects under src/test/resources/corpus/&lt;project&gt;/, each a package.json and the
 * package-lock.json the real npm 11.19.1 resolved for it from the public registry. The lockfiles define the corpus
 * (every name@version in them); {@link #kinds} finds in the cached tarballs the unusual kinds the corpus must contain.
 */
public final class Corpus {
    private Corpus() {}

    public static final Path ROOT = Path.of("src/test/resources/corpus");

    /** One locked version: what the public registry's packument said about its tarball. */
    public record Version(String name, String version, String integrity, String resolved, boolean optional) {
        public String id() {
            return name + "@" + version;
        }
    }

    public static List<String> projects() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("package-lock.json")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path lockfile(String project) {
        return ROOT.resolve(project).resolve("package-lock.json").toAbsolutePath();
    }

    /** name@version → version, for every package in the project's lockfile. */
    public static Map<String, Version> versions(String project) {
        JsonNode packages = Json.parse(Files2.read(lockfile(project))).path("packages");
        Map<String, Version> out = new TreeMap<>();
        packages.properties().forEach(e -> {
            String path = e.getKey();
            if (path.isEmpty()) {
                return;
            }
            JsonNode v = e.getValue();
            String name = v.has("name")
                    ? v.path("name").asText()
                    : path.substring(path.lastIndexOf("node_modules/") + "node_modules/".length());
            Version version = new Version(
                    name,
                    v.path("version").asText(),
                    v.path("integrity").asText(),
                    v.path("resolved").asText(),
                    v.path("optional").asBoolean(false));
            out.put(version.id(), version);
        });
        return out;
    }

    /** Every distinct name@version of every project. */
    public static Map<String, Version> all() {
        Map<String, Version> all = new TreeMap<>();
        projects().forEach(p -> all.putAll(versions(p)));
        return all;
    }

    /**
     * Kind → examples ("name@version (detail)") of the unusual things in the corpus: a tarball root folder other than
     * package/, capitals in the name, a Node core module name, a platform-specific package carrying a native binary,
     * and a version that is the `latest` dist-tag while being a prerelease.
     */
    public static Map<String, List<String>> kinds(RegistryMirror mirror, Collection<Version> versions) {
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        for (String k : List.of(ROOT_FOLDER, CAPITALS, CORE_MODULE, NATIVE, PRERELEASE_LATEST)) {
            kinds.put(k, new ArrayList<>());
        }
        for (Version v : versions) {
            Tarball t = scan(mirror.tarball(v.name(), v.version()));
            if (!t.roots().equals(Set.of("package"))) {
                kinds.get(ROOT_FOLDER).add(v.id() + " (" + String.join(", ", t.roots()) + "/)");
            }
            if (!v.name().equals(v.name().toLowerCase(java.util.Locale.ROOT))) {
                kinds.get(CAPITALS).add(v.id());
            }
            if (dev.airlock.shared.PackageName.parse(v.name()).newPackageProblems().stream()
                    .anyMatch(p -> p.endsWith("is a Node.js core module name"))) {
                kinds.get(CORE_MODULE).add(v.id());
            }
            JsonNode manifest = Json.parse(mirror.packument(v.name()));
            JsonNode version = manifest.path("versions").path(v.version());
            if ((version.has("os") || version.has("cpu")) && !t.binaries().isEmpty()) {
                kinds.get(NATIVE)
                        .add(v.id() + " (" + version.path("os") + " " + version.path("cpu") + ": "
                                + t.binaries().first() + ")");
            }
            String latest = manifest.path("dist-tags").path("latest").asText();
            if (latest.equals(v.version()) && latest.contains("-")) {
                kinds.get(PRERELEASE_LATEST).add(v.id());
            }
        }
        return kinds;
    }

    public static final String ROOT_FOLDER = "tarball root folder other than package/";
    public static final String CAPITALS = "capital letters in the name";
    public static final String CORE_MODULE = "Node.js core module name";
    public static final String NATIVE = "platform-specific package with a native binary";
    public static final String PRERELEASE_LATEST = "prerelease as the latest dist-tag";

    /** The top folders of a tarball's entries and its files that are native executables or libraries. */
    record Tarball(Set<String> roots, TreeSet<String> binaries) {}

    static Tarball scan(Path tgz) {
        Set<String> roots = new TreeSet<>();
        TreeSet<String> binaries = new TreeSet<>();
        try (InputStream in = Files.newInputStream(tgz);
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        GzipCompressorInputStream.builder().setInputStream(in).get())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String path = e.getName().replace('\\', '/').replaceFirst("^(\\./)+", "");
                if (e.isGlobalPaxHeader() || path.isEmpty()) {
                    continue;
                }
                int slash = path.indexOf('/');
                roots.add(slash < 0 ? path : path.substring(0, slash));
                if (e.isFile()) {
                    byte[] head = tar.readNBytes(4);
                    if (native4(head)) {
                        binaries.add(path);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(tgz.toString(), e);
        }
        return new Tarball(roots, binaries);
    }

    /** ELF, Mach-O (32/64-bit, either byte order, fat) or a PE executable. */
    static boolean native4(byte[] h) {
        if (h.length < 4) {
            return false;
        }
        int m = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        return m == 0x7f454c46
                || m == 0xfeedface
                || m == 0xfeedfacf
                || m == 0xcefaedfe
                || m == 0xcffaedfe
                || m == 0xcafebabe
                || (h[0] == 'M' && h[1] == 'Z');
    }
}
