package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.tarball.TarballReader;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry serves its consumer's verifier: {@link BundledVerifier} packs {@code verifier/} reproducibly and imports
 * it once (a second start changes nothing), and the real npm client runs it with {@code npm exec @airlock/verify}
 * from the registry, as a consumer's {@code npx} would.
 */
class BundledVerifierIT {
    @TempDir
    Path tmp;

    @Test
    void theRegistryServesTheVerifierAndNpmExecRunsIt() throws Exception {
        assertThat(BundledVerifier.packed()).isEqualTo(BundledVerifier.packed());
        try (TestRegistry registry = TestRegistry.start()) {
            var limits = new TarballReader.Limits(1 << 26, 10_000);
            ImportService.Report first =
                    BundledVerifier.publish(registry.airlock.imports, limits, registry.dataDir.resolve("tmp"));
            assertThat(first.imported()).isEqualTo(1);
            assertThat(first.refused()).isEmpty();
            ImportService.Report again =
                    BundledVerifier.publish(registry.airlock.imports, limits, registry.dataDir.resolve("tmp"));
            assertThat(again.imported()).isZero();
            assertThat(again.present()).isEqualTo(1);

            JsonNode packument = registry.airlock.packages.packument(
                    Actor.anonymous("127.0.0.1"), PackageName.parse("@airlock/verify"), false);
            JsonNode v = packument.path("versions").path("0.1.0");
            assertThat(v.path("bin").path("airlock-verify").asText()).isEqualTo("bin/airlock-verify.js");
            assertThat(v.path("dist").path("integrity").asText())
                    .isEqualTo("sha512-"
                            + Base64.getEncoder()
                                    .encodeToString(java.security.MessageDigest.getInstance("SHA-512")
                                            .digest(BundledVerifier.packed())));

            Path work = Files.createDirectories(tmp.resolve("consumer"));
            Npm npm = new Npm(tmp.resolve("npm-home"), registry.url());
            // options after the command would be the command's: -c keeps npm's own (--userconfig …) npm's
            Cli.Result r =
                    npm.run(work, "exec", "--yes", "--package=@airlock/verify", "-c", "airlock-verify --version");
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.stdout()).contains("0.1.0");
            // npm hands its registry to the command as $npm_config_registry: no --registry needed under npx
            Cli.Result usage = npm.run(
                    work, "exec", "--yes", "--package=@airlock/verify", "-c", "airlock-verify --lockfile absent.json");
            assertThat(usage.exit()).as(usage.all()).isEqualTo(2);
            assertThat(usage.stderr()).contains("no lockfile absent.json");
        }
    }
}
