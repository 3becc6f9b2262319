package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Corpus;
import dev.airlock.testing.Files2;
import dev.airlock.testing.RegistryMirror;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-world corpus (see {@link Corpus}): the complete dependency trees of several well-known projects, with the
 * exact tarballs the public registry serves (cached outside the repository by {@link RegistryMirror}), imported into
 * a fresh Airlock with {@code ./airlock import --registry … --lockfile …}. Every version must be accepted (a refusal
 * fails the suite unless it names a real safety problem of that tarball, listed in {@link #UNSAFE}). Then each project
 * is installed from Airlock alone with npm (from scratch, and npm ci from the committed lockfile), pnpm, yarn berry,
 * yarn classic and bun, resolving from Airlock's packuments; every lockfile must record Airlock's tarball URLs and the
 * public registry's integrity, and something real runs from each project.
 */
class RealWorldCorpusIT {
    /**
     * name@version → the reason Airlock refuses it, for versions whose tarball really is unsafe. Empty: every refusal
     * of a corpus version so far was a bug. Add an entry only with the evidence in the tarball.
     */
    static final Map<String, String> UNSAFE = Map.of();

    /**
     * With -Dairlock.corpus.viaMirror=true the clients install straight from the mirror (the public registry's
     * packuments and tarballs): tells a problem of a client or of this harness from one of Airlock.
     */
    static final boolean VIA_MIRROR = Boolean.getBoolean("airlock.corpus.viaMirror");

    static RegistryMirror mirror;
    static TestRegistry registry;
    static Map<String, Corpus.Version> all;
    static String importOutput;
    static String secondImportOutput;
    static final Map<String, String> REFUSED = new TreeMap<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void importCorpus() throws InterruptedException {
        long start = System.nanoTime();
        mirror = RegistryMirror.start();
        all = Corpus.all();
        fillCache();
        long cached = System.nanoTime();
        registry = TestRegistry.start();
        // as an operator runs it beside the server: the data directory only (packuments get the server's URL)
        List<String> args = new ArrayList<>(
                List.of("import", "--data", registry.dataDir.toString(), "--registry", mirror.url(), "--jobs", "4"));
        for (String project : Corpus.projects()) {
            args.addAll(List.of("--lockfile", Corpus.lockfile(project).toString()));
        }
        importOutput = AirlockCommand.run("", args.toArray(String[]::new));
        secondImportOutput = AirlockCommand.run("", args.toArray(String[]::new));
        for (String line : importOutput.split("\n")) {
            Matcher m = REFUSAL.matcher(line);
            if (m.matches()) {
                REFUSED.put(m.group(1), m.group(2));
            }
        }
        System.out.printf(
                "corpus: %d versions of %d projects; cache %s filled in %d s, import took %d s%n%s%n",
                all.size(),
                Corpus.projects().size(),
                mirror.cacheDir(),
                (cached - start) / 1_000_000_000L,
                (System.nanoTime() - cached) / 1_000_000_000L,
                importOutput
                        .lines()
                        .filter(l -> l.startsWith("Imported "))
                        .findFirst()
                        .orElse(importOutput));
    }

    /** How the import lists a refusal on stderr: "  refused name@version: reason". */
    static final Pattern REFUSAL = Pattern.compile("^\\s*refused (\\S+): (.*)$");

    static void fillCache() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> fetched = new ArrayList<>();
            for (Corpus.Version v : all.values()) {
                fetched.add(pool.submit(() -> mirror.tarball(v.name(), v.version())));
            }
            List<String> failed = new ArrayList<>();
            for (Future<Path> f : fetched) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failed.add(String.valueOf(e.getCause().getMessage()));
                }
            }
            assertThat(failed).as("corpus versions that could not be cached").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (mirror != null) {
            mirror.close();
        }
    }

    @Test
    void theCorpusHoldsEveryUnusualKind() {
        assertThat(all).as("distinct name@version in the corpus").hasSizeGreaterThanOrEqualTo(800);
        Map<String, List<String>> kinds = Corpus.kinds(mirror, all.values());
        kinds.forEach(
                (kind, examples) -> System.out.printf("corpus kind %s: %d %s%n", kind, examples.size(), examples));
        kinds.forEach((kind, examples) -> assertThat(examples).as(kind).isNotEmpty());
    }

    @Test
    void everyVersionIsImportedWithThePublicIntegrity() {
        Map<String, String> wrongRefusals = new TreeMap<>(REFUSED);
        UNSAFE.forEach((id, reason) -> {
            if (wrongRefusals.getOrDefault(id, "").contains(reason)) {
                wrongRefusals.remove(id);
            }
        });
        REFUSED.forEach((id, why) -> System.out.println("corpus refusal " + id + ": " + why));
        assertThat(wrongRefusals)
                .as("versions refused without a real safety problem (a bug in Airlock)")
                .isEmpty();
        assertThat(importOutput).as(importOutput).contains("exit=" + (REFUSED.isEmpty() ? 0 : 1));
        Matcher summary = Pattern.compile(
                        "Imported (\\d+) version\\(s\\) of (\\d+) package\\(s\\) from .* \\((\\d+) already present, (\\d+) refused\\)\\.")
                .matcher(importOutput);
        assertThat(summary.find()).as(importOutput).isTrue();
        assertThat(Integer.parseInt(summary.group(1)) + Integer.parseInt(summary.group(4)))
                .as(importOutput)
                .isEqualTo(all.size());
        // a second run finds everything present and imports nothing
        assertThat(secondImportOutput)
                .as(secondImportOutput)
                .contains("Imported 0 version(s) of " + summary.group(2) + " package(s)")
                .contains("(" + summary.group(1) + " already present, " + REFUSED.size() + " refused).");

        // What Airlock now serves for each version: the public registry's integrity and a tarball at Airlock.
        Map<String, String> wrong = new LinkedHashMap<>();
        Map<String, List<String>> byName = new TreeMap<>();
        all.values()
                .forEach(v ->
                        byName.computeIfAbsent(v.name(), n -> new ArrayList<>()).add(v.version()));
        byName.forEach((name, versions) -> {
            var packument = registry.http.get(name.replace("/", "%2f"), null);
            for (String version : versions) {
                if (REFUSED.containsKey(name + "@" + version)) {
                    continue;
                }
                var dist = packument.json().path("versions").path(version).path("dist");
                String integrity = dist.path("integrity").asText();
                if (!integrity.equals(mirror.publicIntegrity(name, version))
                        || !dist.path("tarball").asText().startsWith(registry.url())) {
                    wrong.put(name + "@" + version, packument.status() + " " + dist);
                }
            }
        });
        assertThat(wrong)
                .as("versions Airlock does not serve with the public integrity")
                .isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> installAndRunEachProjectWithEachClient() {
        return Corpus.projects().stream()
                .flatMap(project -> Stream.of(CorpusClients.values())
                        .map(client -> DynamicTest.dynamicTest(
                                project + " with " + client, () -> installAndRun(project, client))));
    }

    void installAndRun(String project, CorpusClients client) {
        long start = System.nanoTime();
        Path dir = tmp.resolve(project + "-" + client.name().toLowerCase(java.util.Locale.ROOT));
        Path work = copyProject(project, dir.resolve("project"), client.usesCommittedLockfile());
        String from = VIA_MIRROR ? mirror.url() : registry.url();
        Cli.Result install = client.install(work, dir, from);
        assertThat(install.exit()).as(install.toString()).isZero();
        long installed = System.nanoTime();

        List<CorpusClients.Locked> locked = client.locked(work);
        assertThat(locked).as("lockfile entries").isNotEmpty();
        List<String> wrong = new ArrayList<>();
        for (CorpusClients.Locked l : locked) {
            if (!VIA_MIRROR && !all.containsKey(l.id())) {
                wrong.add(l.id() + " is not in the corpus (so not in Airlock)");
            }
            // npm ci leaves the committed lockfile (public URLs) as it is: where it fetched from is checked below
            if (l.url() != null && !client.usesCommittedLockfile() && !l.url().startsWith(from)) {
                wrong.add(l.id() + " resolved to " + l.url());
            }
            if (l.integrity() != null && !l.integrity().equals(mirror.publicIntegrity(l.name(), l.version()))) {
                wrong.add(l.id() + " has integrity " + l.integrity() + ", the public registry "
                        + mirror.publicIntegrity(l.name(), l.version()));
            }
        }
        assertThat(wrong).as("lockfile of " + client).isEmpty();
        if (client.usesCommittedLockfile()) {
            // npm maps the lockfile's registry.npmjs.org URLs onto the configured registry: its cache names only
            // Airlock
            String index = cacheIndex(dir.resolve("cache"));
            assertThat(index).contains(from).doesNotContain("registry.npmjs.org");
        }
        if (client == CorpusClients.YARN_BERRY) {
            // berry records no URL and its checksum is of its own zip: every locked package is an archive it built
            // from a tarball fetched from the only registry it could reach (other hosts go to a dead proxy).
            assertThat(Files2.countFiles(dir.resolve("cache")))
                    .isGreaterThanOrEqualTo(locked.stream()
                            .map(CorpusClients.Locked::id)
                            .distinct()
                            .count());
        }

        for (Smoke smoke : SMOKES.get(project)) {
            Cli.Result r = Cli.run(work, Cli.baseEnv(dir.resolve("run-home")), smoke.command(), Map.of(), 120);
            assertThat(r.exit()).as(r.toString()).isEqualTo(smoke.exit());
            assertThat(r.all()).as(r.toString()).contains(smoke.expect());
        }
        System.out.printf(
                "corpus %s with %s: %d locked, install %d s, checks and run %d s%n",
                project,
                client,
                locked.size(),
                (installed - start) / 1_000_000_000L,
                (System.nanoTime() - installed) / 1_000_000_000L);
    }

    /** Every key in npm's content cache index (the URLs it fetched). */
    static String cacheIndex(Path cache) {
        StringBuilder keys = new StringBuilder();
        try (Stream<Path> files = Files.walk(cache.resolve("_cacache/index-v5"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                keys.append(Files2.read(f)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys.toString();
    }

    record Smoke(List<String> command, int exit, String... expect) {}

    static Smoke node(int exit, String expect, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node"));
        cmd.addAll(List.of(args));
        return new Smoke(cmd, exit, expect);
    }

    /** What runs from each installed project, and what it must print. */
    static final Map<String, List<Smoke>> SMOKES = Map.of(
            "express",
            List.of(node(0, "answered 200 {\"word\":\"hello\",\"body\":{\"n\":42}}", "app.js")),
            "eslint",
            List.of(node(
                    1,
                    "'unused' is assigned a value but never used  no-unused-vars",
                    "node_modules/eslint/bin/eslint.js",
                    "bad.js")),
            "jest",
            List.of(node(0, "Tests:       1 passed, 1 total", "node_modules/jest/bin/jest.js", "--ci")),
            "browserify",
            List.of(
                    node(0, "", "node_modules/browserify/bin/cmd.js", "entry.js", "-o", "bundle.js"),
                    // punycode 1.4.1 and process.browser: the npm packages were bundled, not Node's own modules
                    node(0, "bundle 1.4.1 xn--maana-pta.com /p n=7 € true", "bundle.js")),
            "legacy",
            List.of(
                    node(0, "legacy a,b,c JSXElement", "legacy.js"),
                    node(0, "Finished 'copy'", "node_modules/gulp/bin/gulp.js", "copy"),
                    node(0, "copied by gulp", "-p", "require('fs').readFileSync('out/hello.txt', 'utf8')")),
            "node-gyp",
            List.of(
                    node(0, "v13.1.0", "node_modules/node-gyp/bin/node-gyp.js", "--version"),
                    // gyp itself (python, shipped in the tarball) generates the makefiles of a tiny native target
                    new Smoke(
                            List.of(
                                    "python3",
                                    "node_modules/node-gyp/gyp/gyp_main.py",
                                    "--depth=.",
                                    "-f",
                                    "make",
                                    "--generator-output=out",
                                    "binding.gyp"),
                            0,
                            ""),
                    node(0, "TARGET := hello", "-p", "require('fs').readFileSync('out/hello.target.mk', 'utf8')")),
            "watcher",
            List.of(node(
                    0, "watcher saw create new.txt via @parcel/watcher-linux-x64-glibc/watcher.node", "watch.js")));

    /** A fresh copy of the project: its package.json and smoke files (and its lockfile only when asked). */
    static Path copyProject(String project, Path to, boolean withLockfile) {
        Path from = Corpus.ROOT.resolve(project);
        try {
            Files.createDirectories(to);
            Files.copy(from.resolve("package.json"), to.resolve("package.json"));
            if (withLockfile) {
                Files.copy(from.resolve("package-lock.json"), to.resolve("package-lock.json"));
            }
            Path smoke = from.resolve("smoke");
            try (Stream<Path> files = Files.walk(smoke)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path target = to.resolve(smoke.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
