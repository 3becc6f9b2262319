package dev.airlock.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads the package versions a project's lockfile pins, so {@code ./airlock import --lockfile FILE} imports exactly
 * those: npm's {@code package-lock.json} / {@code npm-shrinkwrap.json} (lockfileVersion 1, 2 and 3), yarn classic's
 * and yarn berry's {@code yarn.lock}, {@code pnpm-lock.yaml} (lockfileVersion 5 to 9) and bun's text {@code bun.lock}.
 * Entries that are not registry packages (workspaces, links, {@code file:} folders and tarballs, git dependencies,
 * remote tarball URLs, dependencies bundled inside another package, yarn patches) are skipped with a line saying
 * what and why. A file that is none of these formats, malformed, or names a package or version npm would not accept
 * is an {@link IllegalArgumentException} whose message names the file and the problem.
 */
public final class Lockfiles {
    /**
     * The registry packages to import, one {@link Wanted} per name (its pinned versions and the integrity the lockfile
     * recorded for each, when it recorded an npm-style SRI integrity), and one human-readable line per skipped entry.
     */
    public record Result(List<Wanted> wanted, List<String> skipped) {}

    private static final ObjectMapper JSON_READER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** SnakeYAML refuses documents over 3 MB by default; a monorepo's pnpm-lock.yaml or yarn.lock is often larger. */
    private static final ObjectMapper YAML_READER =
            new YAMLMapper(YAMLFactory.builder().loaderOptions(yamlLimits()).build());

    private static final String FORMATS =
            "package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml or bun.lock";

    private Lockfiles() {}

    public static Result read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read lockfile " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".lockb") || startsWith(bytes, "#!/usr/bin/env bun")) {
            throw new IllegalArgumentException(file + " is bun's binary lockfile, which Airlock cannot read: run"
                    + " `bun install --save-text-lockfile` in that project to get the text lockfile bun.lock, and"
                    + " import that");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        LockEntries entries = new LockEntries(file);
        switch (format(name, text)) {
            case NPM -> NpmLock.read(json(file, text), entries);
            case BUN -> BunLock.read(json(file, text), entries);
            case PNPM -> PnpmLock.read(yaml(file, text), entries);
            case YARN_BERRY -> YarnLock.readBerry(yaml(file, text), entries);
            case YARN_CLASSIC -> YarnLock.readClassic(text, entries);
            case JSON -> {
                JsonNode root = json(file, text);
                if (root.has("workspaces")
                        && root.path("packages").elements().hasNext()
                        && root.path("packages").elements().next().isArray()) {
                    BunLock.read(root, entries);
                } else if (root.has("lockfileVersion")) {
                    NpmLock.read(root, entries);
                } else {
                    throw unknown(file);
                }
            }
            default -> throw unknown(file);
        }
        return entries.result();
    }

    private enum Format {
        NPM,
        BUN,
        PNPM,
        YARN_BERRY,
        YARN_CLASSIC,
        /** A renamed JSON file: npm's or bun's, told apart by its content. */
        JSON,
        UNKNOWN
    }

    /** By the file's conventional name first; a renamed file by its content. */
    private static Format format(String name, String text) {
        String start = text.stripLeading();
        boolean berry = text.contains("\n__metadata:") || text.startsWith("__metadata:");
        Format byName = switch (name) {
            case "package-lock.json", "npm-shrinkwrap.json" -> Format.NPM;
            case "bun.lock" -> Format.BUN;
            case "pnpm-lock.yaml", "pnpm-lock.yml" -> Format.PNPM;
            case "yarn.lock" -> berry ? Format.YARN_BERRY : Format.YARN_CLASSIC;
            default -> Format.UNKNOWN;
        };
        if (byName != Format.UNKNOWN) {
            return byName;
        }
        if (start.startsWith("{")) {
            return Format.JSON;
        }
        if (berry) {
            return Format.YARN_BERRY;
        }
        if (text.contains("# yarn lockfile v1")) {
            return Format.YARN_CLASSIC;
        }
        if (start.startsWith("lockfileVersion:")) {
            return Format.PNPM;
        }
        return Format.UNKNOWN;
    }

    private static LoaderOptions yamlLimits() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(512 * 1024 * 1024);
        return options;
    }

    private static IllegalArgumentException unknown(Path file) {
        return new IllegalArgumentException(
                file + " is not a lockfile Airlock can read: expected " + FORMATS + " (npm, yarn, pnpm or bun's)");
    }

    private static JsonNode json(Path file, String text) {
        return tree(JSON_READER, file, text, "JSON");
    }

    private static JsonNode yaml(Path file, String text) {
        return tree(YAML_READER, file, text, "YAML");
    }

    private static JsonNode tree(ObjectMapper mapper, Path file, String text, String what) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    file + " is not valid " + what + ": " + e.getOriginalMessage() + location(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " is not a lockfile: its " + what + " is not an object");
        }
        return root;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (bytes[i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
