package dev.airlock.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ECDSA P-256 registry key in a PEM file: a PKCS#8 {@code PRIVATE KEY} block (what {@code openssl genpkey
 * -algorithm EC -pkeyopt ec_paramgen_curve:P-256} writes) and optionally a {@code PUBLIC KEY} block. The public key
 * is that block, else the one PKCS#8 carries inside its ECPrivateKey (openssl always writes it). Keys Airlock makes
 * are written with both blocks, mode 0600, by an atomic rename.
 */
final class KeyFile {
    /** SubjectPublicKeyInfo DER of a P-256 key, up to the 65-byte uncompressed point. */
    private static final byte[] P256_SPKI_PREFIX =
            HexFormat.of().parseHex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    /** The ECPrivateKey's {@code [1] publicKey BIT STRING} holding a P-256 uncompressed point. */
    private static final byte[] EMBEDDED_PUBLIC = HexFormat.of().parseHex("a144034200");

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    final PrivateKey privateKey;
    /** SubjectPublicKeyInfo DER. */
    final byte[] spki;

    final String keyid;

    private KeyFile(PrivateKey privateKey, byte[] spki) {
        this.privateKey = privateKey;
        this.spki = spki.clone();
        this.keyid = keyid(spki);
    }

    /** {@code SHA256:} and the unpadded base64 of the SHA-256 of the SPKI DER (npm's keyid shape). */
    static String keyid(byte[] spki) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyFile generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            return new KeyFile(pair.getPrivate(), pair.getPublic().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key in {@code file}; a clear error when it is not a P-256 key in PEM/PKCS#8. */
    static KeyFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the registry signing key " + file, e);
        }
        byte[] pkcs8 = null;
        byte[] spki = null;
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (m.group(1).equals("PRIVATE KEY")) {
                pkcs8 = der;
            } else if (m.group(1).equals("PUBLIC KEY")) {
                spki = der;
            }
        }
        if (pkcs8 == null) {
            throw new IllegalArgumentException("The registry signing key " + file + " holds no PKCS#8 \"PRIVATE KEY\""
                    + " block; make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256");
        }
        if (spki == null) {
            spki = embeddedPublic(pkcs8, file);
        }
        try {
            KeyFactory ec = KeyFactory.getInstance("EC");
            KeyFile key = new KeyFile(
                    ec.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
                    ec.generatePublic(new X509EncodedKeySpec(spki)).getEncoded());
            key.requireP256Pair(file);
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "The registry signing key " + file + " is not an ECDSA P-256 key pair: " + e.getMessage(), e);
        }
    }

    private static byte[] embeddedPublic(byte[] pkcs8, Path file) {
        for (int i = 0; i + EMBEDDED_PUBLIC.length + 65 <= pkcs8.length; i++) {
            if (Arrays.equals(pkcs8, i, i + EMBEDDED_PUBLIC.length, EMBEDDED_PUBLIC, 0, EMBEDDED_PUBLIC.length)
                    && pkcs8[i + EMBEDDED_PUBLIC.length] == 0x04) {
                byte[] spki = Arrays.copyOf(P256_SPKI_PREFIX, P256_SPKI_PREFIX.length + 65);
                System.arraycopy(pkcs8, i + EMBEDDED_PUBLIC.length, spki, P256_SPKI_PREFIX.length, 65);
                return spki;
            }
        }
        throw new IllegalArgumentException("The registry signing key " + file + " does not carry its public key;"
                + " append it: openssl pkey -in KEY -pubout >> KEY");
    }

    private void requireP256Pair(Path file) throws GeneralSecurityException {
        if (!Arrays.equals(spki, 0, P256_SPKI_PREFIX.length, P256_SPKI_PREFIX, 0, P256_SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("the key is not on the P-256 curve (" + file + ")");
        }
        byte[] probe = "airlock key check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(spki, probe, sign(probe))) {
            throw new IllegalArgumentException("its public key does not match its private key");
        }
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean verify(byte[] spki, byte[] message, byte[] signature) {
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Writes the key to {@code file} (mode 0600) through a temporary file renamed over it. */
    void write(Path file) {
        String pem = pem("PRIVATE KEY", privateKey.getEncoded()) + pem("PUBLIC KEY", spki);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(
                    dir,
                    ".signing",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the registry signing key " + file, e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
