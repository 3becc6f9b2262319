package dev.airlock;

import dev.airlock.audit.NoteKey;
import dev.airlock.platform.cluster.SharedKeys;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.crypto.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * The keys every node of a cluster shares (docs/security.md, "Keys of several nodes"): on PostgreSQL, before the
 * features read their key files, each file the operator did not name is made the copy of the key kept in the
 * database. On SQLite (one node) the files are the keys, as always.
 */
final class NodeKeys {
    static final String SECRET = "secret";
    static final String AUDIT_LOG = "audit-log";
    static final String SIGNING = "signing";

    private NodeKeys() {}

    static void share(AirlockConfig config, SharedKeys keys, boolean sqlite) {
        if (sqlite) {
            return;
        }
        Path data = config.dataDir();
        if (config.security().secretKey() == null
                || config.security().secretKey().isBlank()) {
            keys.materialize(
                    SECRET,
                    data.resolve("secret.key"),
                    () -> Base64.getEncoder().encodeToString(SecretBox.newKey()));
        }
        String origin = AirlockAssembly.logOrigin(config.server().base());
        keys.materialize(AUDIT_LOG, data.resolve("audit-log.key"), () -> auditKey(data, origin));
        if (config.security().signingKeyFile().isEmpty()) {
            keys.materialize(SIGNING, data.resolve("signing.key"), NodeKeys::signingKeyPem);
        }
    }

    /** A new audit log key in its signed-note text (made by the audit feature in a scratch file). */
    private static String auditKey(Path data, String origin) {
        try {
            Files.createDirectories(data);
            Path scratch =
                    data.resolve(".audit-log.key.new-" + ProcessHandle.current().pid());
            Files.deleteIfExists(scratch);
            NoteKey.loadOrCreate(scratch, origin);
            String text = Files.readString(scratch, StandardCharsets.UTF_8).strip();
            Files.delete(scratch);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new ECDSA P-256 key as the signing feature reads it: PKCS#8 PRIVATE KEY and PUBLIC KEY PEM blocks. */
    private static String signingKeyPem() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            return pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                    + pem("PUBLIC KEY", pair.getPublic().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
