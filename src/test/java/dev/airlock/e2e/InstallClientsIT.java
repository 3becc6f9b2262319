package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pnpm, yarn berry, yarn classic and bun (the pinned versions in target/clients) install from Airlock: a project with
 * a scoped and an unscoped dependency, a transitive chain {@code @acme/top-x → middle-x → leaf-x} and a restricted
 * scoped package that only an authenticated client may see. Each client gets its own throwaway HOME, config and
 * cache, and only the configuration a user would write for that client. After each install the lockfile is checked
 * against what Airlock serves, then the project is installed again from the lockfile alone with an empty cache.
 */
class InstallClientsIT {
    static TestRegistry registry;
    static String token;
    /** "//127.0.0.1:PORT/", the npmrc key prefix for the registry. */
    static String nerf;
    /** name@version → what Airlock's packument says about the tarball (checked against the tarball's own bytes). */
    static final Map<String, Dist> DIST = new LinkedHashMap<>();
    /** What every consumer project ends up with: the chain and the restricted package. */
    static final List<String> PACKAGES =
            List.of("@acme/top-x@1.0.0", "middle-x@1.0.0", "leaf-x@1.0.0", "@acme/secret-x@1.0.0");

    @TempDir
    static Path tmp;

    record Dist(String integrity, String shasum, String tarball) {}

    @BeforeAll
    static void publish() {
        registry = TestRegistry.start();
        token = registry.userWithToken("alice");
        nerf = registry.url().replaceFirst("^http:", "");
        registry.createOrg("acme", "alice");
        Npm alice = Npm.withToken(tmp.resolve("alice-home"), registry.url(), token);
        ok(alice.run(
                pkg(
                        "leaf-x",
                        "{\"name\":\"leaf-x\",\"version\":\"1.0.0\",\"main\":\"index.js\"}",
                        "module.exports = 'leaf-x';\n"),
                "publish"));
        ok(alice.run(
                pkg(
                        "middle-x",
                        "{\"name\":\"middle-x\",\"version\":\"1.0.0\",\"dependencies\":{\"leaf-x\":\"^1.0.0\"}}",
                        "module.exports = 'middle-x>' + require('leaf-x');\n"),
                "publish"));
        ok(alice.run(
                pkg(
                        "top-x",
                        "{\"name\":\"@acme/top-x\",\"version\":\"1.0.0\",\"dependencies\":{\"middle-x\":\"^1.0.0\"}}",
                        "module.exports = 'top-x>' + require('middle-x');\n"),
                "publish",
                "--access",
                "public"));
        ok(alice.run(
                pkg(
                        "secret-x",
                        "{\"name\":\"@acme/secret-x\",\"version\":\"1.0.0\"}",
                        "module.exports = 'secret-x';\n"),
                "publish",
                "--access",
                "restricted"));
        for (String id : PACKAGES) {
            DIST.put(id, dist(id));
        }
        // The restricted package really is invisible without a token (so the installs below prove auth works).
        assertThat(registry.http.get("@acme%2fsecret-x", null).status()).isEqualTo(404);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- pnpm

    @Test
    void pnpm() {
        Path dir = tmp.resolve("pnpm");
        Path project = consumer(dir.resolve("project"));
        Files2.write(
                project.resolve(".npmrc"), "registry=" + registry.url() + "\n" + nerf + ":_authToken=" + token + "\n");
        // pnpm 11+ reads its own settings from pnpm-workspace.yaml (.npmrc is for registry and auth only). Under its
        // default minimumReleaseAge (a day, judged by the packument's "time") pnpm 12 still installs packages published
        // a second ago, but writes each of them into minimumReleaseAgeExclude in this file; say what we mean instead.
        Files2.write(project.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
        Map<String, String> env = pnpmEnv(dir);
        List<String> flags = List.of(
                "--store-dir=" + dir.resolve("store"), "--cache-dir=" + dir.resolve("cache"), "--reporter=append-only");

        // CI=true makes --frozen-lockfile the default; the first install has to create the lockfile.
        ok(run(project, env, pnpm(flags, "install", "--no-frozen-lockfile")));
        assertInstalled(project);

        String lock = Files2.read(project.resolve("pnpm-lock.yaml"));
        JsonNode packages = yaml(lock).path("packages");
        for (String id : PACKAGES) {
            JsonNode resolution = packages.path(id).path("resolution");
            assertThat(resolution.isObject()).as(id + " in\n" + lock).isTrue();
            // pnpm records no registry and, for a tarball at the registry's standard path (Airlock's are), no URL:
            // only dist.integrity; the URL comes from .npmrc again at the next install. A tarball URL would appear
            // only for a tarball somewhere else, and then it must be Airlock's.
            assertThat(resolution.path("integrity").asText())
                    .as(id)
                    .isEqualTo(DIST.get(id).integrity());
            if (resolution.has("tarball")) {
                assertThat(resolution.path("tarball").asText())
                        .as(id)
                        .isEqualTo(DIST.get(id).tarball());
            }
        }
        assertNoOtherRegistry(lock);

        // From the lockfile alone, empty store and cache: pnpm fetches from Airlock again and checks the integrity.
        wipe(project.resolve("node_modules"), dir.resolve("store"), dir.resolve("cache"));
        ok(run(project, env, pnpm(flags, "install", "--frozen-lockfile")));
        assertInstalled(project);

        Path anonymous = project(dir.resolve("anonymous"), "@acme/secret-x");
        Files2.write(anonymous.resolve(".npmrc"), "registry=" + registry.url() + "\n");
        Files2.write(anonymous.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
        notFound(
                run(anonymous, env, pnpm(flags, "install", "--no-frozen-lockfile")),
                "GET " + registry.url() + "@acme%2Fsecret-x: Not Found - 404",
                "No authorization header was set");
    }

    static Map<String, String> pnpmEnv(Path dir) {
        Map<String, String> env = Cli.baseEnv(home(dir));
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("xdg-cache").toString());
        env.put("XDG_DATA_HOME", dir.resolve("xdg-data").toString());
        env.put("XDG_STATE_HOME", dir.resolve("xdg-state").toString());
        return env;
    }

    static List<String> pnpm(List<String> flags, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Clients.pnpm().toString());
        cmd.addAll(List.of(args));
        cmd.addAll(flags);
        return cmd;
    }

    // ---------------------------------------------------------------------------------------------- yarn berry

    @Test
    void yarnBerry() {
        Path dir = tmp.resolve("berry");
        Path project = consumer(dir.resolve("project"));
        Files2.write(project.resolve(".yarnrc.yml"), berryRc(token));
        Map<String, String> env = berryEnv(dir);

        ok(run(project, env, node(Clients.yarnBerry(), "install")));
        assertInstalled(project);

        String lock = Files2.read(project.resolve("yarn.lock"));
        JsonNode entries = yaml(lock);
        String cacheKey = entries.path("__metadata").path("cacheKey").asText();
        assertThat(cacheKey).as(lock).isNotEmpty();
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            String version = id.substring(id.lastIndexOf('@') + 1);
            JsonNode entry = entries.path(name + "@npm:^1.0.0");
            assertThat(entry.isObject()).as(id + " in\n" + lock).isTrue();
            // Berry records no URL for a package from npmRegistryServer: "npm:1.0.0" means "from the configured
            // registry", which here is only Airlock.
            assertThat(entry.path("resolution").asText()).isEqualTo(name + "@npm:" + version);
            assertThat(entry.path("version").asText()).isEqualTo(version);
            // Berry does not record dist.integrity: its checksum is "<cacheKey>/<sha512 hex>" of the zip archive it
            // repacks the tarball into, so it cannot equal the registry's sha512. What is meaningful is that it is
            // the hash of the archive in our cache, made from Airlock's tarball; the reinstall below with
            // --check-cache fetches the tarball from Airlock again and fails if the rebuilt archive differs.
            String checksum = entry.path("checksum").asText();
            assertThat(checksum).as(id).matches(Pattern.quote(cacheKey) + "/[0-9a-f]{128}");
            Path zip = cachedZip(dir.resolve("cache"), name, version);
            assertThat(cacheKey + "/" + sha512Hex(zip)).as(zip.toString()).isEqualTo(checksum);
        }
        assertNoOtherRegistry(lock);

        wipe(project.resolve("node_modules"), dir.resolve("cache"));
        ok(run(project, env, node(Clients.yarnBerry(), "install", "--immutable", "--check-cache")));
        assertInstalled(project);

        Path anonymous = project(dir.resolve("anonymous"), "@acme/secret-x");
        Files2.write(anonymous.resolve(".yarnrc.yml"), berryRc(null));
        notFound(
                run(anonymous, env, node(Clients.yarnBerry(), "install")),
                "@acme/secret-x@npm:^1.0.0: Package not found",
                "Response Code: 404 (Not Found)");
    }

    static String berryRc(String authToken) {
        String rc = "npmRegistryServer: \"" + registry.url().replaceFirst("/$", "") + "\"\n"
                + "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
                + "enableGlobalCache: false\n"
                + "nodeLinker: node-modules\n"
                + "enableTelemetry: false\n"
                // CI=true makes immutable installs the default; the first install has to create the lockfile.
                + "enableImmutableInstalls: false\n"
                // Berry 4.18 quarantines versions younger than npmMinimalAgeGate (default a day, judged by the
                // packument's "time"); ours were published a second ago.
                + "npmMinimalAgeGate: 0\n";
        return authToken == null ? rc : rc + "npmAuthToken: \"" + authToken + "\"\n";
    }

    static Map<String, String> berryEnv(Path dir) {
        Map<String, String> env = Cli.baseEnv(home(dir));
        env.put("YARN_ENABLE_TELEMETRY", "0");
        env.put("YARN_CACHE_FOLDER", dir.resolve("cache").toString());
        env.put("YARN_GLOBAL_FOLDER", dir.resolve("global").toString());
        return env;
    }

    /** Berry's cache names an archive "name-npm-version-HASH-KEY.zip" (scope joined with a dash). */
    static Path cachedZip(Path cache, String name, String version) {
        String prefix = name.replace("/", "-") + "-npm-" + version + "-";
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> zips = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".zip"))
                    .toList();
            assertThat(zips).as(prefix + " in " + cache).hasSize(1);
            return zips.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // -------------------------------------------------------------------------------------------- yarn classic

    @Test
    void yarnClassic() {
        Path dir = tmp.resolve("classic");
        Path project = consumer(dir.resolve("project"));
        // Classic reads the registry from .yarnrc and the token from .npmrc (its npm-compatible auth).
        Files2.write(project.resolve(".yarnrc"), "registry \"" + registry.url() + "\"\n");
        Files2.write(
                project.resolve(".npmrc"), "registry=" + registry.url() + "\n" + nerf + ":_authToken=" + token + "\n");
        Map<String, String> env = Cli.baseEnv(home(dir));
        List<String> flags = List.of(
                "--registry",
                registry.url(),
                "--cache-folder",
                dir.resolve("cache").toString(),
                "--non-interactive",
                "--no-progress");

        ok(run(project, env, classic(flags, "install")));
        assertInstalled(project);

        String lock = Files2.read(project.resolve("yarn.lock"));
        Map<String, Map<String, String>> entries = classicLock(lock);
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            Map<String, String> entry = entries.get(name + "@^1.0.0");
            assertThat(entry).as(id + " in\n" + lock).isNotNull();
            Dist dist = DIST.get(id);
            // Classic records Airlock's tarball URL with the sha1 (dist.shasum) as fragment, and dist.integrity.
            assertThat(entry.get("resolved")).as(id).isEqualTo(dist.tarball() + "#" + dist.shasum());
            assertThat(entry.get("integrity")).as(id).isEqualTo(dist.integrity());
        }
        assertNoOtherRegistry(lock);

        wipe(project.resolve("node_modules"), dir.resolve("cache"));
        ok(run(project, env, classic(flags, "install", "--frozen-lockfile")));
        assertInstalled(project);

        Path anonymous = project(dir.resolve("anonymous"), "@acme/secret-x");
        Files2.write(anonymous.resolve(".yarnrc"), "registry \"" + registry.url() + "\"\n");
        // Classic turns the 404 into its own wording (no status code in the message).
        notFound(
                run(anonymous, env, classic(flags, "install")),
                registry.url() + "@acme%2fsecret-x: Package \"@acme/secret-x\" not found");
    }

    static List<String> classic(List<String> flags, String... args) {
        List<String> cmd = new ArrayList<>(node(Clients.yarnClassic(), args));
        cmd.addAll(flags);
        return cmd;
    }

    /** yarn.lock v1: blocks of `"spec", "spec":` headers followed by indented `key value` lines. */
    static Map<String, Map<String, String>> classicLock(String lock) {
        Map<String, Map<String, String>> entries = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        Pattern field = Pattern.compile("^  (\\w+) \"?([^\"]*)\"?$");
        for (String line : lock.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith(" ")) {
                current = new ArrayList<>();
                for (String spec : line.substring(0, line.length() - 1).split(", ")) {
                    String s = spec.replace("\"", "");
                    current.add(s);
                    entries.put(s, new LinkedHashMap<>());
                }
                continue;
            }
            Matcher m = field.matcher(line);
            if (m.matches()) {
                for (String spec : current) {
                    entries.get(spec).put(m.group(1), m.group(2));
                }
            }
        }
        return entries;
    }

    // ------------------------------------------------------------------------------------------------------ bun

    @Test
    void bun() {
        Path dir = tmp.resolve("bun");
        Path project = consumer(dir.resolve("project"));
        Files2.write(project.resolve("bunfig.toml"), bunfig(token));
        Map<String, String> env = bunEnv(dir);

        ok(run(project, env, List.of(Clients.bun().toString(), "install", "--no-progress")));
        assertInstalled(project);

        String lock = Files2.read(project.resolve("bun.lock"));
        JsonNode packages = jsonc(lock).path("packages");
        for (String id : PACKAGES) {
            String name = id.substring(0, id.lastIndexOf('@'));
            JsonNode entry = packages.path(name);
            assertThat(entry.isArray()).as(id + " in\n" + lock).isTrue();
            assertThat(entry.path(0).asText()).isEqualTo(id);
            // [id, tarball URL, info, integrity]: bun records Airlock's tarball URL (dist.tarball) and dist.integrity.
            assertThat(entry.path(1).asText()).as(id).isEqualTo(DIST.get(id).tarball());
            assertThat(entry.path(3).asText()).as(id).isEqualTo(DIST.get(id).integrity());
        }
        assertNoOtherRegistry(lock);

        wipe(project.resolve("node_modules"), dir.resolve("cache"));
        ok(run(project, env, List.of(Clients.bun().toString(), "install", "--frozen-lockfile", "--no-progress")));
        assertInstalled(project);

        Path anonymous = project(dir.resolve("anonymous"), "@acme/secret-x");
        Files2.write(anonymous.resolve("bunfig.toml"), bunfig(null));
        notFound(
                run(anonymous, env, List.of(Clients.bun().toString(), "install", "--no-progress")),
                "GET " + registry.url() + "@acme%2fsecret-x - 404");
    }

    static String bunfig(String authToken) {
        return "[install]\nregistry = { url = \"" + registry.url() + "\""
                + (authToken == null ? "" : ", token = \"" + authToken + "\"") + " }\n";
    }

    static Map<String, String> bunEnv(Path dir) {
        Map<String, String> env = Cli.baseEnv(home(dir));
        env.put("BUN_INSTALL_CACHE_DIR", dir.resolve("cache").toString());
        env.put("BUN_INSTALL", dir.resolve("bun-install").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
        env.put("DO_NOT_TRACK", "1");
        return env;
    }

    // -------------------------------------------------------------------------------------------------- helpers

    static Path pkg(String dir, String packageJson, String index) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        Files2.write(d.resolve("package.json"), packageJson);
        Files2.write(d.resolve("index.js"), index);
        // A real package is rarely under the server's compression threshold (1,500 bytes): ship ~48 KiB that gzip
        // cannot shrink, so every client fetches a tarball larger than that with its usual Accept-Encoding.
        Files2.write(d.resolve("data.txt"), data(dir));
        return d;
    }

    /** 48 KiB of base64 from a generator seeded by the package's name: the same text every run. */
    static String data(String dir) {
        byte[] random = new byte[36 * 1024];
        new java.util.Random(dir.hashCode()).nextBytes(random);
        return Base64.getMimeEncoder().encodeToString(random) + "\n";
    }

    /** Reads the packument as an authenticated client would and checks its dist against the tarball's bytes. */
    static Dist dist(String id) {
        String name = id.substring(0, id.lastIndexOf('@'));
        String version = id.substring(id.lastIndexOf('@') + 1);
        JsonNode dist = registry.http
                .get(name.replace("/", "%2f"), token)
                .json()
                .path("versions")
                .path(version)
                .path("dist");
        String tarball = dist.path("tarball").asText();
        assertThat(tarball).startsWith(registry.url());
        byte[] bytes = registry.http.bytes(tarball.substring(registry.url().length()), token);
        assertThat(bytes).as(tarball).isNotNull();
        String integrity = "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", bytes));
        String shasum = HexFormat.of().formatHex(digest("SHA-1", bytes));
        assertThat(dist.path("integrity").asText()).as(id).isEqualTo(integrity);
        assertThat(dist.path("shasum").asText()).as(id).isEqualTo(shasum);
        return new Dist(integrity, shasum, tarball);
    }

    /** A fresh project depending on the scoped top of the chain, on the leaf and on the restricted package. */
    static Path consumer(Path dir) {
        return project(dir, "@acme/top-x", "leaf-x", "@acme/secret-x");
    }

    static Path project(Path dir, String... deps) {
        StringBuilder json =
                new StringBuilder("{\"name\":\"consumer\",\"version\":\"1.0.0\",\"private\":true,\"dependencies\":{");
        for (int i = 0; i < deps.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(deps[i]).append("\":\"^1.0.0\"");
        }
        Files2.write(dir.resolve("package.json"), json.append("}}\n").toString());
        return dir;
    }

    /** A throwaway HOME for one client, so no user-level config of the machine can leak in. */
    static Path home(Path dir) {
        Path home = dir.resolve("home");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return home;
    }

    static List<String> node(Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node", script.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Cli.Result run(Path cwd, Map<String, String> env, List<String> cmd) {
        return Cli.run(cwd, env, cmd, Map.<String, String>of(), 240);
    }

    /** The files are there and Node resolves the whole chain from the project, whatever the client's layout. */
    static void assertInstalled(Path project) {
        assertThat(project.resolve("node_modules/@acme/top-x/package.json")).exists();
        assertThat(project.resolve("node_modules/leaf-x/package.json")).exists();
        assertThat(project.resolve("node_modules/@acme/secret-x/package.json")).exists();
        assertThat(project.resolve("node_modules/leaf-x/data.txt")).content().isEqualTo(data("leaf-x"));
        Cli.Result chain = ok(Cli.run(
                project,
                Cli.baseEnv(project),
                List.of("node", "-e", "console.log(require('@acme/top-x'))"),
                Map.<String, String>of(),
                30));
        assertThat(chain.stdout().trim()).isEqualTo("top-x>middle-x>leaf-x");
    }

    static void assertNoOtherRegistry(String lock) {
        assertThat(lock).doesNotContain("registry.npmjs.org").doesNotContain("registry.yarnpkg.com");
    }

    /** Without a token the restricted package does not exist for the client: a not-found naming it, as that client words it. */
    static void notFound(Cli.Result r, String... messages) {
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.all()).as(r.toString()).contains(messages);
    }

    static void wipe(Path... dirs) {
        for (Path d : dirs) {
            Files2.deleteTree(d);
            assertThat(d).doesNotExist();
        }
    }

    static JsonNode yaml(String text) {
        try {
            return new YAMLMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** bun.lock is JSON with trailing commas. */
    static JsonNode jsonc(String text) {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
                .build();
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha512Hex(Path file) {
        try {
            return HexFormat.of().formatHex(digest("SHA-512", Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
