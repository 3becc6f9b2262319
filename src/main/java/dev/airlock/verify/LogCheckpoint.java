package dev.airlock.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The audit log's signed checkpoint (C2SP tlog-checkpoint: origin, size and base64 root, a blank line, then
 * {@code — name base64(4-byte key id || Ed25519 signature)} lines) and the log's verifier key
 * ({@code name+hex id+base64(0x01 || Ed25519 public key)}), both read from their text alone.
 */
record LogCheckpoint(String origin, long size, byte[] root) {

    /** A verifier key: its name, its 4-byte id (checked against the key) and the raw Ed25519 public key. */
    record Key(String name, byte[] id, byte[] publicKey) {
        static Key parse(String text) {
            String[] parts = text.strip().split("\\+", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("not a log verifier key (name+id+base64 key): " + text.strip());
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(parts[2]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the log verifier key's key is not base64: " + text.strip(), e);
            }
            if (raw.length != 33 || raw[0] != 1) {
                throw new IllegalArgumentException("the log verifier key is not an Ed25519 key: " + text.strip());
            }
            byte[] pub = Arrays.copyOfRange(raw, 1, 33);
            byte[] id = Arrays.copyOf(VerifyCrypto.sha256(VerifyCrypto.utf8(parts[0] + "\n"), new byte[] {1}, pub), 4);
            if (!HexFormat.of().formatHex(id).equals(parts[1])) {
                throw new IllegalArgumentException("the log verifier key's id does not match its key: " + text.strip());
            }
            return new Key(parts[0], id, pub);
        }
    }

    /**
     * Reads a checkpoint and checks it is signed by {@code key}; throws with the reason when it is malformed or not
     * signed by that key.
     */
    static LogCheckpoint verify(String text, Key key) {
        int sep = text.indexOf("\n\n");
        if (sep < 0) {
            throw new IllegalArgumentException("the checkpoint is not a signed note");
        }
        String body = text.substring(0, sep + 1);
        String[] lines = body.split("\n", -1);
        if (lines.length < 4) {
            throw new IllegalArgumentException("the checkpoint has no origin, size and root lines");
        }
        long size;
        byte[] root;
        try {
            size = Long.parseLong(lines[1]);
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the checkpoint's size or root is malformed", e);
        }
        if (size < 0 || root.length != 32) {
            throw new IllegalArgumentException("the checkpoint's size or root is malformed");
        }
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        for (String line : text.substring(sep + 2).split("\n")) {
            if (!line.startsWith("\u2014 ")) {
                continue;
            }
            String[] parts = line.substring(2).split(" ");
            if (parts.length != 2 || !parts[0].equals(key.name())) {
                continue;
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (raw.length == 68
                    && Arrays.equals(Arrays.copyOf(raw, 4), key.id())
                    && VerifyCrypto.verifyEd25519(key.publicKey(), bodyBytes, Arrays.copyOfRange(raw, 4, 68))) {
                return new LogCheckpoint(lines[0], size, root);
            }
        }
        throw new IllegalArgumentException("the checkpoint is not signed by the log key " + key.name());
    }
}
