package dev.airlock.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Verdaccio storage directory, as its local-storage plugin (6.x) lays it out: {@code STORAGE/NAME/package.json} and
 * {@code STORAGE/@SCOPE/NAME/package.json} (the packument as Verdaccio keeps it, {@code _attachments} and
 * {@code _uplinks} included), each tarball beside it under the last segment of its tarball URL (a scoped package's
 * files are {@code NAME-VERSION.tgz}, without the scope), and {@code STORAGE/.verdaccio-db.json} listing the packages
 * published there (packages cached from an uplink are stored the same way but not listed).
 *
 * <p>Versions whose tarball is not in the storage (Verdaccio caches an uplink's metadata without its tarballs until
 * someone downloads them) are returned, and fetching their tarball fails saying so: the import refuses them with that
 * reason. Nothing is read through a symbolic link that leads out of the storage: such a package directory is left out
 * of {@link #names()} and listed in {@link #skipped()}; loading it by name fails.
 */
public final class VerdaccioSource implements ImportSource {
    private static final String PACKUMENT = "package.json";
    private final Path root;
    private final List<String> skipped = new ArrayList<>();

    public VerdaccioSource(Path storage) throws IOException {
        this.root = LocalFiles.root(storage);
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public String kind() {
        return "verdaccio";
    }

    /** "skipped PATH: reason" for each package directory {@link #names()} left out. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    @Override
    public List<String> names() throws IOException {
        skipped.clear();
        List<String> names = new ArrayList<>();
        for (Path dir : sorted(root)) {
            String first = dir.getFileName().toString();
            if (first.startsWith(".") || !Files.isDirectory(dir)) {
                continue; // .verdaccio-db.json, .sinopia-db.json, temporary files
            }
            if (first.startsWith("@")) {
                if (!inside(dir)) {
                    continue;
                }
                for (Path sub : sorted(dir)) {
                    if (Files.isDirectory(sub) && inside(sub) && holdsPackument(sub)) {
                        names.add(first + "/" + sub.getFileName());
                    }
                }
            } else if (inside(dir) && holdsPackument(dir)) {
                names.add(first);
            }
        }
        return names;
    }

    /** The names {@code .verdaccio-db.json} lists: the packages published to this Verdaccio (empty without it). */
    public List<String> localPackages() throws IOException {
        Path db = root.resolve(".verdaccio-db.json");
        if (!Files.isRegularFile(db)) {
            return List.of();
        }
        List<String> list = new ArrayList<>();
        readJson(db).path("list").forEach(n -> list.add(n.asText()));
        return list;
    }

    @Override
    public SourcePackage load(String name) throws IOException {
        Path dir = packageDir(name);
        if (dir == null || !Files.exists(dir.resolve(PACKUMENT))) {
            return null;
        }
        Path file = LocalFiles.within(root, dir.resolve(PACKUMENT));
        JsonNode doc = readJson(file);
        if (!name.equals(doc.path("name").asText(name))) {
            throw new IOException(
                    file + " is the packument of " + doc.path("name").asText() + ", not of " + name);
        }
        JsonNode time = doc.path("time");
        Map<String, String> tags = new LinkedHashMap<>();
        doc.path("dist-tags").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                tags.put(e.getKey(), e.getValue().asText());
            }
        });
        String latest = tags.get("latest");
        Path realDir = LocalFiles.within(root, dir);
        List<SourceVersion> versions = new ArrayList<>();
        for (var e : doc.path("versions").properties()) {
            if (!(e.getValue() instanceof ObjectNode manifest)) {
                throw new IOException(file + ": version " + e.getKey() + " is not a JSON object");
            }
            String version = e.getKey();
            String readme = text(manifest.get("readme"));
            if (readme == null && version.equals(latest)) {
                readme = text(doc.get("readme"));
            }
            Path tarball = realDir.resolve(tarballFile(name, version, manifest));
            versions.add(new SourceVersion(
                    version,
                    manifest,
                    LocalFiles.epochMillis(time.path(version).asText(null)),
                    text(manifest.get("deprecated")),
                    readme,
                    maxBytes -> {
                        if (!Files.exists(tarball)) {
                            throw new IOException("the tarball of " + name + "@" + version + " (" + tarball
                                    + ") is not in the Verdaccio storage (Verdaccio keeps the metadata of versions"
                                    + " cached from an uplink without their tarballs)");
                        }
                        return LocalFiles.spool(root, tarball, maxBytes);
                    }));
        }
        return new SourcePackage(
                name, tags, LocalFiles.epochMillis(time.path("created").asText(null)), maintainers(doc), versions);
    }

    /** The tarball's file name: the last segment of the recorded tarball URL, else NAME-VERSION.tgz (no scope). */
    static String tarballFile(String name, String version, JsonNode manifest) {
        String url = manifest.path("dist").path("tarball").asText("");
        String fallback = name.substring(name.indexOf('/') + 1) + "-" + version + ".tgz";
        String path;
        try {
            path = URI.create(url).getRawPath();
        } catch (IllegalArgumentException e) {
            return fallback;
        }
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return fallback;
        }
        String base = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        boolean plain = !base.isEmpty()
                && !base.equals(".")
                && !base.equals("..")
                && !base.contains("/")
                && !base.contains("\\")
                && !base.contains("\0");
        return plain ? base : fallback;
    }

    /** The packument's maintainers, else everyone named as a version's maintainer or publisher ({@code _npmUser}). */
    private static List<String> maintainers(JsonNode doc) {
        Set<String> names = new LinkedHashSet<>();
        doc.path("maintainers").forEach(m -> addPerson(names, m));
        if (names.isEmpty()) {
            doc.path("versions").forEach(v -> {
                v.path("maintainers").forEach(m -> addPerson(names, m));
                addPerson(names, v.get("_npmUser"));
            });
        }
        return List.copyOf(names);
    }

    private static void addPerson(Set<String> names, JsonNode person) {
        String name = person == null
                ? null
                : person.isTextual()
                        ? person.asText().replaceFirst("\\s*[<(].*$", "").trim()
                        : person.path("name").asText("").trim();
        if (name != null && !name.isEmpty()) {
            names.add(name);
        }
    }

    /** STORAGE/NAME or STORAGE/@SCOPE/NAME, or null for a name that is not one path segment (plus a scope). */
    private Path packageDir(String name) {
        String[] parts = name.split("/", -1);
        boolean scoped = parts.length == 2 && parts[0].startsWith("@") && parts[0].length() > 1;
        if (!(parts.length == 1 || scoped)) {
            return null;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.startsWith(".") || p.contains("\\") || p.contains("\0")) {
                return null;
            }
        }
        return scoped ? root.resolve(parts[0]).resolve(parts[1]) : root.resolve(name);
    }

    private boolean inside(Path dir) {
        if (LocalFiles.inside(root, dir)) {
            return true;
        }
        skipped.add("skipped " + dir + ": a symbolic link that leads out of the storage");
        return false;
    }

    private boolean holdsPackument(Path dir) {
        Path file = dir.resolve(PACKUMENT);
        if (!Files.exists(file)) {
            return false;
        }
        if (!LocalFiles.inside(root, file)) {
            skipped.add("skipped " + file + ": a symbolic link that leads out of the storage");
            return false;
        }
        return true;
    }

    private static List<Path> sorted(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        }
        entries.sort(null);
        return entries;
    }

    private static JsonNode readJson(Path file) throws IOException {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject()) {
            throw new IOException(file + " is not a JSON object");
        }
        return doc;
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }
}
