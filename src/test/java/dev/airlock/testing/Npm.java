package dev.airlock.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real npm 11.19.1 CLI against a test registry, as a user would run it: its own userconfig (registry + token),
 * an empty globalconfig, its own cache, no update notifier, no audit, no stdin unless answers are given.
 */
public final class Npm {
    private final Path home;
    private final Path userconfig;
    private final Path globalconfig;
    private final Path cache;
    private final String registry;

    public Npm(Path home, String registry) {
        this.home = home;
        this.registry = registry;
        this.userconfig = home.resolve("npmrc");
        this.globalconfig = home.resolve("global-npmrc");
        this.cache = home.resolve("cache");
        Files2.write(globalconfig, "");
        Files2.write(userconfig, "registry=" + registry + "\n");
    }

    /** A client logged in with this token. */
    public static Npm withToken(Path home, String registry, String token) {
        Npm npm = new Npm(home, registry);
        npm.setToken(token);
        return npm;
    }

    public void setToken(String token) {
        String hostPath = registry.replaceFirst("^https?:", "");
        Files2.write(userconfig, "registry=" + registry + "\n" + hostPath + ":_authToken=" + token + "\n");
    }

    public String userconfig() {
        return Files2.read(userconfig);
    }

    public Path home() {
        return home;
    }

    public Cli.Result run(Path cwd, String... args) {
        return run(cwd, Map.of(), args);
    }

    /** Runs npm ARGS in cwd; answers maps prompt text → line to type. */
    public Cli.Result run(Path cwd, Map<String, String> answers, String... args) {
        List<Cli.Answer> list = new ArrayList<>();
        answers.forEach((prompt, line) -> list.add(new Cli.Answer(prompt, out -> line)));
        return run(cwd, list, args);
    }

    /** Runs npm ARGS in cwd, answering each prompt with a reply computed from the output so far. */
    public Cli.Result run(Path cwd, List<Cli.Answer> answers, String... args) {
        return runWithEnv(cwd, Map.of(), answers, args);
    }

    /** Runs npm with extra environment variables (e.g. a CI provider's, for trusted publishing). */
    public Cli.Result runWithEnv(Path cwd, Map<String, String> extraEnv, List<Cli.Answer> answers, String... args) {
        return run(cwd, extraEnv, answers, false, args);
    }

    /** Runs npm in a pseudo-terminal, as a person at a terminal would (see {@link Cli#run}). */
    public Cli.Result runInTerminal(Path cwd, List<Cli.Answer> answers, String... args) {
        return run(cwd, Map.of("TERM", "dumb", "COLUMNS", "250"), answers, true, args);
    }

    private Cli.Result run(
            Path cwd, Map<String, String> extraEnv, List<Cli.Answer> answers, boolean terminal, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("node");
        cmd.add(Clients.npmCli().toString());
        cmd.addAll(List.of(args));
        cmd.add("--userconfig=" + userconfig);
        cmd.add("--globalconfig=" + globalconfig);
        cmd.add("--cache=" + cache);
        cmd.add("--update-notifier=false");
        cmd.add("--audit=false");
        cmd.add("--fund=false");
        cmd.add("--fetch-retries=0");
        try {
            Files.createDirectories(cwd);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> env = new java.util.HashMap<>(Cli.baseEnv(home));
        env.putAll(extraEnv);
        return Cli.run(cwd, env, cmd, answers, 180, terminal);
    }
}
