package dev.airlock.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.testing.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The signing key's life: generated 0600, or the operator's own PEM file; keyids; rotation refused for the latter. */
class RegistrySignerTest {
    private Services s;

    @AfterEach
    void close() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void aGeneratedKeyIsPrivateToItsOwnerAndSignsWhatItsPublicKeyVerifies() throws Exception {
        s = Services.start();
        Path file = s.dir.resolve("signing.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        RegistrySigner signer = s.airlock.signer;
        List<RegistryKey> keys = signer.keys();
        assertThat(keys).hasSize(1);
        RegistryKey key = keys.get(0);
        assertThat(key.keyid()).isEqualTo(signer.currentKeyid());
        assertThat(key.keyid())
                .isEqualTo(KeyFile.keyid(java.util.Base64.getDecoder().decode(key.spki())));
        byte[] message = RegistrySigner.versionMessage("@acme/widget", "1.0.0", "sha512-abc");
        assertThat(new String(message, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("@acme/widget@1.0.0:sha512-abc");
        SignatureRef sig = signer.sign(message);
        assertThat(sig.keyid()).isEqualTo(key.keyid());
        assertThat(RegistrySigner.verifies(key.spki(), message, sig.sig())).isTrue();
        assertThat(RegistrySigner.verifies(
                        key.spki(), "other".getBytes(java.nio.charset.StandardCharsets.UTF_8), sig.sig()))
                .isFalse();
    }

    @Test
    void theOperatorsOpensslKeyIsUsedAndReplacingItRotates() throws Exception {
        Path dir = Files.createTempDirectory("airlock-key");
        Path file = dir.resolve("registry.pem");
        openssl(file);
        s = Services.start(Map.of("security.signingKeyFile", file.toString()));
        String first = s.airlock.signer.currentKeyid();
        assertThat(Files.exists(s.dir.resolve("signing.key"))).isFalse();
        AirlockException refused =
                assertThrows(AirlockException.class, () -> s.airlock.signer.rotate(Actor.operator()));
        assertThat(refused.getMessage()).contains("security.signingKeyFile").contains("restart");

        // the operator puts a new key in the file and restarts: it is registered, the old one expires
        openssl(file);
        RegistrySigner restarted = RegistrySigner.create(s.airlock.db, s.airlock.audit, s.clock, file, true);
        List<RegistryKey> keys = restarted.keys();
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).keyid()).isEqualTo(restarted.currentKeyid()).isNotEqualTo(first);
        assertThat(keys.get(0).current()).isTrue();
        assertThat(keys.get(1).keyid()).isEqualTo(first);
        assertThat(keys.get(1).current()).isFalse();
        dev.airlock.testing.Files2.deleteTree(dir);
    }

    @Test
    void aFileThatIsNotAP256KeyIsRefusedWithWhatToDo() throws Exception {
        Path dir = Files.createTempDirectory("airlock-key");
        Path file = dir.resolve("registry.pem");
        Files.writeString(file, "not a key\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyFile.read(file));
        assertThat(e.getMessage()).contains("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256");
        Process p = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ED25519", "-out", file.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor()).isZero();
        assertThrows(IllegalArgumentException.class, () -> KeyFile.read(file));
        dev.airlock.testing.Files2.deleteTree(dir);
    }

    private static void openssl(Path file) throws Exception {
        Process p = new ProcessBuilder(
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-out",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
