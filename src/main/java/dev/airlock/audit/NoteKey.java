package dev.airlock.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 key of the C2SP signed-note format (the one Go's {@code golang.org/x/mod/sumdb/note} and transparency
 * logs use): its name, its 4-byte key id {@code SHA-256(name || 0x0A || 0x01 || public key)[:4]}, the verifier key
 * text {@code name+hex(id)+base64(0x01 || public key)} and, for the signer, the private key text
 * {@code PRIVATE+KEY+name+hex(id)+base64(0x01 || seed)}. Signing and verifying use the JDK's Ed25519.
 */
public final class NoteKey {
    private static final byte ED25519 = 0x01;
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private final String name;
    private final byte[] publicKey;
    private final PrivateKey privateKey;

    private NoteKey(String name, byte[] publicKey, PrivateKey privateKey) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c == '+' || Character.isWhitespace(c) || c < 0x20)) {
            throw new IllegalArgumentException("a signed-note key name has no '+' and no spaces: " + name);
        }
        this.name = name;
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /** A new signing key. */
    public static NoteKey generate(String name) {
        return fromSeed(name, new SecureRandom().generateSeed(32));
    }

    /**
     * The signing key in {@code file}; on first use a new one is generated and written there with mode 0600 (an
     * existing file is never overwritten).
     */
    public static NoteKey loadOrCreate(Path file, String name) {
        try {
            if (Files.exists(file)) {
                return parsePrivate(
                        Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            NoteKey key = generate(name);
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return parsePrivate(
                        Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            Files.writeString(file, key.privateText() + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit log key " + file, e);
        }
    }

    /** {@code PRIVATE+KEY+name+id+base64(0x01||seed)}. */
    public static NoteKey parsePrivate(String text) {
        String[] parts = text.split("\\+", 5); // the base64 key may hold "+" itself
        if (parts.length != 5 || !parts[0].equals("PRIVATE") || !parts[1].equals("KEY")) {
            throw new IllegalArgumentException("not a signed-note private key (PRIVATE+KEY+name+id+key)");
        }
        byte[] raw = Base64.getDecoder().decode(parts[4]);
        if (raw.length != 33 || raw[0] != ED25519) {
            throw new IllegalArgumentException("the signed-note private key is not an Ed25519 key");
        }
        NoteKey key = fromSeed(parts[2], Arrays.copyOfRange(raw, 1, 33));
        if (!key.idHex().equals(parts[3])) {
            throw new IllegalArgumentException("the signed-note private key's id does not match its key");
        }
        return key;
    }

    /** A verifier key {@code name+id+base64(0x01||public key)}. */
    public static NoteKey parseVerifier(String text) {
        String[] parts = text.strip().split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a signed-note verifier key (name+id+key): " + text);
        }
        byte[] raw = Base64.getDecoder().decode(parts[2]);
        if (raw.length != 33 || raw[0] != ED25519) {
            throw new IllegalArgumentException("the verifier key is not an Ed25519 key: " + text);
        }
        NoteKey key = new NoteKey(parts[0], Arrays.copyOfRange(raw, 1, 33), null);
        if (!key.idHex().equals(parts[1])) {
            throw new IllegalArgumentException("the verifier key's id does not match its key: " + text);
        }
        return key;
    }

    private static NoteKey fromSeed(String name, byte[] seed) {
        try {
            // the JDK's Ed25519 key pair generator takes the private key bytes from the random source it is given
            KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
            gen.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            KeyPair pair = gen.generateKeyPair();
            byte[] encoded = pair.getPublic().getEncoded();
            byte[] pub = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
            PrivateKey priv = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
            return new NoteKey(name, pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available", e);
        }
    }

    public String name() {
        return name;
    }

    /** The 4-byte key id. */
    public byte[] id() {
        byte[] input = concat((name + "\n").getBytes(StandardCharsets.UTF_8), new byte[] {ED25519}, publicKey);
        return Arrays.copyOf(MerkleTree.sha256(input), 4);
    }

    String idHex() {
        return HexFormat.of().formatHex(id());
    }

    /** The verifier key text operators publish and give to {@code airlock audit verify --key}. */
    public String verifierText() {
        return name + "+" + idHex() + "+" + Base64.getEncoder().encodeToString(concat(new byte[] {ED25519}, publicKey));
    }

    String privateText() {
        byte[] encoded = privateKey.getEncoded();
        byte[] seed = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        return "PRIVATE+KEY+" + name + "+" + idHex() + "+"
                + Base64.getEncoder().encodeToString(concat(new byte[] {ED25519}, seed));
    }

    public boolean canSign() {
        return privateKey != null;
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean verify(byte[] message, byte[] signature) {
        try {
            PublicKey pub = KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey)));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(pub);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer out =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }

    /** A random source that yields one fixed seed: how a known private key goes into the JDK's key generator. */
    private static final class FixedSeed extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("unexpected request for " + bytes.length + " random bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
        }
    }
}
