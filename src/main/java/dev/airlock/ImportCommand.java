package dev.airlock;

import dev.airlock.imports.ImportService;
import dev.airlock.imports.ImportSource;
import dev.airlock.imports.Lockfiles;
import dev.airlock.imports.RegistrySource;
import dev.airlock.imports.TarballDirectorySource;
import dev.airlock.imports.VerdaccioSource;
import dev.airlock.imports.Wanted;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.shared.Actor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code airlock import}: brings packages that exist elsewhere in, with their history (docs/import.md). Every tarball is
 * verified and read like a publish; what is already here is left alone, so the command can run again to resume or to
 * catch up.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Import packages with their history from another registry, a Verdaccio storage or tarballs.")
final class ImportCommand implements Callable<Integer> {
    static final String TOKEN_ENV = "AIRLOCK_IMPORT_TOKEN";

    @Mixin
    Airlock.Common common;

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    From from;

    static final class From {
        @Option(names = "--registry", paramLabel = "URL", description = "an npm-compatible registry to import from")
        URI registry;

        @Option(names = "--verdaccio", paramLabel = "STORAGE_DIR", description = "a Verdaccio storage directory")
        Path verdaccio;

        @Option(
                names = "--tarballs",
                paramLabel = "DIR",
                description = "a directory of .tgz files (searched recursively)")
        Path tarballs;
    }

    @Option(
            names = "--token-env",
            paramLabel = "VAR",
            description = "read the source registry's token from this environment variable (default " + TOKEN_ENV + ")")
    String tokenEnv;

    @Option(names = "--token-stdin", description = "read the source registry's token from the first line of stdin")
    boolean tokenStdin;

    @Option(names = "--owner", paramLabel = "USER", description = "a local user who maintains every package imported")
    String owner;

    @Option(
            names = "--access",
            paramLabel = "LEVEL",
            description = "access of the packages the import creates: public (default) or restricted")
    String access;

    @Option(names = "--jobs", defaultValue = "4", description = "packages fetched at once (default 4)")
    int jobs;

    @Option(names = "--timeout", defaultValue = "60", description = "seconds to wait for the source (default 60)")
    int timeoutSeconds;

    @Option(
            names = "--lockfile",
            paramLabel = "FILE",
            description = "import the versions this lockfile pins (package-lock.json, npm-shrinkwrap.json,"
                    + " yarn.lock, pnpm-lock.yaml, bun.lock); repeatable")
    List<Path> lockfiles = new ArrayList<>();

    @Option(
            names = "--all-versions",
            description = "with --lockfile: every version of each package the lockfile names, not only the pinned ones")
    boolean allVersions;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "packages to import (every version of each)")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (access != null && !access.equals("public") && !access.equals("restricted")) {
            throw new IllegalArgumentException("--access must be public or restricted");
        }
        if (jobs < 1 || jobs > 32) {
            throw new IllegalArgumentException("--jobs must be between 1 and 32");
        }
        try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
            if (owner != null && airlock.users.find(owner) == null) {
                throw new IllegalArgumentException("--owner " + owner + ": no such user (see ./airlock user list)");
            }
            ImportSource source = source(airlock);
            List<Wanted> wanted = wanted(source);
            PrintWriter err = spec.commandLine().getErr();
            List<String> skipped = source instanceof VerdaccioSource v
                    ? v.skipped()
                    : source instanceof TarballDirectorySource t ? t.skipped() : List.of();
            skipped.forEach(line -> err.println("import: " + line));
            ImportService.Report report = airlock.imports.run(
                    Actor.operator(),
                    source,
                    wanted,
                    new ImportService.Options(owner, access, jobs),
                    (done, total, r) -> {
                        synchronized (err) {
                            err.println("import: [" + done + "/" + total + "] " + r.name() + ": "
                                    + r.imported().size() + " imported, " + r.present() + " already present"
                                    + (r.refused().isEmpty()
                                            ? ""
                                            : ", " + r.refused().size() + " refused"));
                            r.refused().forEach((what, why) -> err.println("  refused " + what + ": " + why));
                        }
                    });
            System.out.println("Imported " + report.imported() + " version(s) of " + report.packages()
                    + " package(s) from " + source.describe() + " (" + report.present() + " already present, "
                    + (report.refused().size() + skipped.size()) + " refused).");
            if (!report.refused().isEmpty() || !skipped.isEmpty()) {
                err.println("airlock: " + (report.refused().size() + skipped.size())
                        + " refused; the reasons are listed above."
                        + " Everything else was imported; run the command again after fixing the source to resume.");
                return 1;
            }
            return 0;
        }
    }

    private ImportSource source(AirlockAssembly airlock) throws IOException {
        if (from.verdaccio != null) {
            return new VerdaccioSource(from.verdaccio);
        }
        if (from.tarballs != null) {
            var limits = new TarballReader.Limits(
                    airlock.config.limits().maxUnpackedBytes(),
                    airlock.config.limits().maxEntries());
            return new TarballDirectorySource(from.tarballs, limits);
        }
        Path spool = airlock.config.dataDir().resolve("tmp");
        return new RegistrySource(from.registry, token(), Duration.ofSeconds(timeoutSeconds), spool);
    }

    /** Every version of each named package, plus what each lockfile pins (merged by name). */
    private List<Wanted> wanted(ImportSource source) throws IOException {
        Map<String, Wanted> byName = new LinkedHashMap<>();
        for (Path file : lockfiles) {
            Lockfiles.Result r = Lockfiles.read(file);
            r.skipped()
                    .forEach(
                            line -> spec.commandLine().getErr().println("import: " + file.getFileName() + ": " + line));
            for (Wanted w : r.wanted()) {
                // every version: no list, but the pinned versions' integrities are still checked
                Wanted wanted = allVersions ? new Wanted(w.name(), Set.of(), w.lockedIntegrity()) : w;
                byName.merge(w.name(), wanted, ImportCommand::union);
            }
        }
        List<String> all = names.isEmpty() && lockfiles.isEmpty() ? source.names() : names;
        all.forEach(n -> byName.merge(n, Wanted.all(n), ImportCommand::union));
        return new ArrayList<>(byName.values());
    }

    private static Wanted union(Wanted a, Wanted b) {
        Set<String> versions = new LinkedHashSet<>(a.versions());
        versions.addAll(b.versions());
        if (a.everyVersion() || b.everyVersion()) {
            versions.clear();
        }
        Map<String, String> locked = new LinkedHashMap<>(a.lockedIntegrity());
        b.lockedIntegrity().forEach((v, i) -> {
            String known = locked.get(v);
            if (known == null || known.equals(i)) {
                locked.put(v, i);
            } else if (known.substring(0, known.indexOf('-') + 1).equals(i.substring(0, i.indexOf('-') + 1))) {
                throw new IllegalArgumentException("the lockfiles disagree on the integrity of " + a.name() + "@" + v
                        + " (" + known + " and " + i + ")");
            } else {
                locked.put(v, known + " " + i); // two algorithms: the tarball must match both
            }
        });
        return new Wanted(a.name(), versions, locked);
    }

    private String token() throws IOException {
        if (tokenStdin) {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isBlank()) {
                throw new IllegalArgumentException("--token-stdin: no token on standard input");
            }
            return line.strip();
        }
        Map<String, String> env = System.getenv();
        String var = tokenEnv != null ? tokenEnv : TOKEN_ENV;
        String token = env.get(var);
        if (tokenEnv != null && (token == null || token.isBlank())) {
            throw new IllegalArgumentException("--token-env " + tokenEnv + ": that environment variable is not set");
        }
        return token == null || token.isBlank() ? null : token.strip();
    }
}
