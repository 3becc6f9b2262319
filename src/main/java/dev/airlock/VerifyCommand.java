package dev.airlock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.verify.Report;
import dev.airlock.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock verify}: a consumer's check of an install against a registry's signatures, attestations and audit
 * log (docs/verification.md). It needs no data directory: it trusts only HTTP answers and what it is given.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Verify every package a lockfile installed from an Airlock registry: its registry signature,"
                + " provenance, approval attestation, the attestation's place in the audit log and your policy."
                + " Exit 0 when all pass, 1 on any failure, 2 on a usage error.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--registry", paramLabel = "URL", description = "the registry (default: $npm_config_registry)")
    String registry;

    @Option(names = "--lockfile", paramLabel = "FILE", description = "package-lock.json (default ./package-lock.json)")
    Path lockfile;

    @Option(
            names = "--node-modules",
            paramLabel = "DIR",
            description = "an installed node_modules (its .package-lock.json) instead of a lockfile")
    Path nodeModules;

    @Option(names = "--policy", paramLabel = "FILE", description = "your policy (JSON, see docs/verification.md)")
    Path policy;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "a log checkpoint you kept (default: fetched)")
    Path checkpoint;

    @Option(
            names = "--log-key",
            paramLabel = "KEY",
            description = "the log's verifier key name+id+key as its operator published it (default: fetched)")
    String logKey;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        String url = registry != null ? registry : System.getenv("npm_config_registry");
        if (url == null || url.isBlank()) {
            return usage("which registry? Give --registry URL");
        }
        if (lockfile != null && nodeModules != null) {
            return usage("give --lockfile or --node-modules, not both");
        }
        Path lock = lockfile != null ? lockfile : Path.of("package-lock.json");
        if (nodeModules != null) {
            lock = nodeModules.resolve(".package-lock.json");
            if (!Files.isRegularFile(lock)) {
                return usage(nodeModules + " has no .package-lock.json (npm 7 or later writes it when installing)");
            }
        }
        if (!Files.isRegularFile(lock)) {
            return usage("no lockfile " + lock + " (give --lockfile FILE or --node-modules DIR)");
        }
        Report report;
        try {
            report = new Verifier(
                            new Verifier.Options(url, lock, policy, checkpoint, logKey, System.getenv("AIRLOCK_TOKEN")))
                    .run();
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            spec.commandLine()
                    .getOut()
                    .println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report.json(mapper)));
        } else {
            report.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            spec.commandLine().getOut().print(report.table());
        }
        spec.commandLine().getOut().flush();
        return report.ok() ? 0 : 1;
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("airlock verify: " + message);
        return 2;
    }
}
