package dev.airlock.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How each real client installs a corpus project from one registry, and what its lockfile then says. Every client gets
 * a throwaway HOME, config and cache, only the registry it is given, and an HTTPS proxy that does not exist: any request
 * to another registry (all public ones are HTTPS; the registry under test is plain HTTP on the loopback) fails the
 * install instead of quietly succeeding. Install scripts are not run: no corpus project needs one (the native package
 * of @parcel/watcher is a platform-specific dependency, not a build).
 */
enum CorpusClients {
    NPM,
    /** npm ci from the committed lockfile (public registry URLs, which npm maps to the configured registry). */
    NPM_CI,
    PNPM,
    YARN_BERRY,
    YARN_CLASSIC,
    BUN;

    static final String DEAD_PROXY = "http://127.0.0.1:9";
    /** The registry under test is on the loopback: never through the proxy. */
    static final String NO_PROXY = "127.0.0.1,localhost";

    /** One package as a client's lockfile records it; url and integrity are null where that client records none. */
    record Locked(String name, String version, String url, String integrity) {
        String id() {
            return name + "@" + version;
        }
    }

    boolean usesCommittedLockfile() {
        return this == NPM_CI;
    }

    Cli.Result install(Path project, Path dir, String registry) {
        return install(project, dir, registry, null, true);
    }

    /**
     * As {@link #install(Path, Path, String)}, authenticated with {@code token} when it is not null; without
     * {@code retries}, a failed request is not tried again (npm and pnpm otherwise wait 10 s and 60 s, berry retries
     * three times), so an install expected to fail fails at once.
     */
    Cli.Result install(Path project, Path dir, String registry, String token, boolean retries) {
        Map<String, String> env = Cli.baseEnv(InstallClientsIT.home(dir));
        env.put("NO_PROXY", NO_PROXY);
        String host = registry.replaceFirst("/$", "");
        // npm's per-registry key ("//127.0.0.1:PORT/:_authToken"), which pnpm and yarn classic read too
        String npmAuth = token == null ? "" : registry.replaceFirst("^https?:", "") + ":_authToken=" + token + "\n";
        switch (this) {
            case NPM, NPM_CI -> {
                Files2.write(
                        project.resolve(".npmrc"),
                        "registry=" + registry + "\nhttps-proxy=" + DEAD_PROXY + "\nnoproxy=" + NO_PROXY
                                + "\naudit=false\nfund=false\n" + npmAuth + (retries ? "" : "fetch-retries=0\n"));
                env.put("npm_config_userconfig", dir.resolve("npmrc").toString());
                env.put("npm_config_globalconfig", dir.resolve("global-npmrc").toString());
                env.put("npm_config_cache", dir.resolve("cache").toString());
                env.put("npm_config_update_notifier", "false");
                return run(
                        project,
                        env,
                        InstallClientsIT.node(
                                Clients.npmCli(), this == NPM ? "install" : "ci", "--ignore-scripts", "--no-progress"));
            }
            case PNPM -> {
                Files2.write(
                        project.resolve(".npmrc"),
                        "registry=" + registry + "\nhttps-proxy=" + DEAD_PROXY + "\nnoproxy=" + NO_PROXY + "\n"
                                + npmAuth);
                Files2.write(
                        project.resolve("pnpm-workspace.yaml"),
                        "minimumReleaseAge: 0\nhttpsProxy: \"" + DEAD_PROXY + "\"\nnoProxy: \"" + NO_PROXY + "\"\n"
                                + (retries ? "" : "fetchRetries: 0\n"));
                env.putAll(InstallClientsIT.pnpmEnv(dir));
                return run(
                        project,
                        env,
                        InstallClientsIT.pnpm(
                                List.of(
                                        "--store-dir=" + dir.resolve("store"),
                                        "--cache-dir=" + dir.resolve("cache"),
                                        "--reporter=append-only"),
                                "install",
                                "--no-frozen-lockfile",
                                "--ignore-scripts"));
            }
            case YARN_BERRY -> {
                Files2.write(
                        project.resolve(".yarnrc.yml"),
                        "npmRegistryServer: \"" + host + "\"\n"
                                + "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
                                + "httpsProxy: \"" + DEAD_PROXY + "\"\n"
                                + "enableGlobalCache: false\nnodeLinker: node-modules\nenableTelemetry: false\n"
                                + "enableImmutableInstalls: false\nnpmMinimalAgeGate: 0\nenableScripts: false\n"
                                + (token == null ? "" : "npmAuthToken: \"" + token + "\"\n")
                                + (retries ? "" : "httpRetry: 0\n"));
                env.putAll(InstallClientsIT.berryEnv(dir));
                return run(project, env, InstallClientsIT.node(Clients.yarnBerry(), "install"));
            }
            case YARN_CLASSIC -> {
                Files2.write(
                        project.resolve(".yarnrc"),
                        "registry \"" + registry + "\"\nhttps-proxy \"" + DEAD_PROXY + "\"\n");
                if (token != null) { // classic reads the token from .npmrc
                    Files2.write(project.resolve(".npmrc"), "registry=" + registry + "\n" + npmAuth);
                }
                return run(
                        project,
                        env,
                        InstallClientsIT.classic(
                                List.of(
                                        "--registry",
                                        registry,
                                        "--cache-folder",
                                        dir.resolve("cache").toString(),
                                        "--non-interactive",
                                        "--no-progress",
                                        "--ignore-scripts",
                                        // node-gyp 13 (the latest, which berry adds to trees with gyp scripts)
                                        // declares node >= 22; it runs on the node 20 here all the same
                                        "--ignore-engines"),
                                "install"));
            }
            case BUN -> {
                Files2.write(
                        project.resolve("bunfig.toml"),
                        token == null
                                ? "[install]\nregistry = \"" + registry + "\"\n"
                                : "[install]\nregistry = { url = \"" + registry + "\", token = \"" + token + "\" }\n");
                env.putAll(InstallClientsIT.bunEnv(dir));
                env.put("HTTPS_PROXY", DEAD_PROXY);
                return run(
                        project,
                        env,
                        List.of(Clients.bun().toString(), "install", "--ignore-scripts", "--no-progress"));
            }
            default -> throw new IllegalStateException(name());
        }
    }

    static Cli.Result run(Path cwd, Map<String, String> env, List<String> cmd) {
        return Cli.run(cwd, env, cmd, Map.<String, String>of(), 300);
    }

    /** Every package the client's lockfile records, after {@link #install}. */
    List<Locked> locked(Path project) {
        List<Locked> out = new ArrayList<>();
        switch (this) {
            case NPM, NPM_CI ->
                Json.parse(Files2.read(project.resolve("package-lock.json")))
                        .path("packages")
                        .properties()
                        .forEach(e -> {
                            String path = e.getKey();
                            JsonNode v = e.getValue();
                            if (path.isEmpty() || v.path("link").asBoolean(false)) {
                                return;
                            }
                            String name = v.has("name")
                                    ? v.path("name").asText()
                                    : path.substring(path.lastIndexOf("node_modules/") + "node_modules/".length());
                            out.add(new Locked(
                                    name,
                                    v.path("version").asText(),
                                    v.path("resolved").asText(),
                                    v.path("integrity").asText()));
                        });
            case PNPM ->
                InstallClientsIT.yaml(Files2.read(project.resolve("pnpm-lock.yaml")))
                        .path("packages")
                        .properties()
                        .forEach(e -> {
                            String id = e.getKey();
                            JsonNode resolution = e.getValue().path("resolution");
                            out.add(new Locked(
                                    id.substring(0, id.lastIndexOf('@')),
                                    id.substring(id.lastIndexOf('@') + 1),
                                    resolution.has("tarball")
                                            ? resolution.path("tarball").asText()
                                            : null,
                                    resolution.path("integrity").asText()));
                        });
            case YARN_BERRY ->
                InstallClientsIT.yaml(Files2.read(project.resolve("yarn.lock")))
                        .properties()
                        .forEach(e -> {
                            String resolution = e.getValue().path("resolution").asText();
                            int npm = resolution.lastIndexOf("@npm:");
                            // berry's own compatibility patches (resolve, fsevents) sit on top of the npm entry
                            if (e.getKey().equals("__metadata")
                                    || resolution.contains("@workspace:")
                                    || resolution.contains("@patch:")
                                    // packages for other platforms are locked but never fetched
                                    || e.getValue().has("conditions")) {
                                return;
                            }
                            out.add(new Locked(
                                    npm < 0 ? resolution : resolution.substring(0, npm),
                                    npm < 0 ? "" : resolution.substring(npm + "@npm:".length()),
                                    null,
                                    null));
                        });
            case YARN_CLASSIC ->
                InstallClientsIT.classicLock(Files2.read(project.resolve("yarn.lock")))
                        .forEach((spec, fields) -> {
                            String resolved = fields.getOrDefault("resolved", "");
                            out.add(new Locked(
                                    spec.substring(0, spec.lastIndexOf('@')),
                                    fields.get("version"),
                                    resolved.replaceFirst("#.*$", ""),
                                    fields.get("integrity")));
                        });
            case BUN ->
                InstallClientsIT.jsonc(Files2.read(project.resolve("bun.lock")))
                        .path("packages")
                        .properties()
                        .forEach(e -> {
                            JsonNode entry = e.getValue();
                            String id = entry.path(0).asText();
                            String url = entry.path(1).asText();
                            out.add(new Locked(
                                    id.substring(0, id.lastIndexOf('@')),
                                    id.substring(id.lastIndexOf('@') + 1),
                                    url.isEmpty() ? null : url,
                                    entry.path(3).asText()));
                        });
            default -> throw new IllegalStateException(name());
        }
        return out;
    }

    /** Names of the lockfile each client writes (so a fresh copy of a project never carries another client's). */
    static final List<String> LOCKFILES = List.of("package-lock.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock");
}
