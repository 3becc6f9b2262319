package dev.airlock.platform.crypto;

import dev.airlock.platform.config.AirlockConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The key that encrypts secrets at rest (TOTP seeds): {@code security.secretKey} when configured (required when
 * several nodes share a database), otherwise {@code DATA/secret.key}, created with mode 0600 on first start.
 */
public final class SecretKeys {
    private SecretKeys() {}

    public static byte[] load(AirlockConfig config) {
        String configured = config.security().secretKey();
        if (configured != null && !configured.isBlank()) {
            return decode(configured.trim(), "security.secretKey");
        }
        Path file = config.dataDir().resolve("secret.key");
        try {
            Files.createDirectories(config.dataDir());
            if (!Files.exists(file)) {
                try {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, Base64.getEncoder().encodeToString(SecretBox.newKey()) + "\n");
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use theirs
                }
            }
            return decode(Files.readString(file, StandardCharsets.UTF_8).trim(), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static byte[] decode(String b64, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException(where + " must hold 32 bytes (base64 of 32 random bytes)");
        }
        return key;
    }
}
