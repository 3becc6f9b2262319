package dev.airlock.verify;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The cryptography a consumer needs, written against the formats alone (no registry code): registry key ids and
 * ECDSA P-256 signatures, DSSE's pre-authentication encoding, npm's purl, and the audit log's signed-note checkpoints
 * and RFC 9162 inclusion proofs. {@code verifier/lib/crypto.js} is the same in Node.
 */
final class VerifyCrypto {
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private VerifyCrypto() {}

    static byte[] sha256(byte[]... parts) {
        return digest("SHA-256", parts);
    }

    static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** npm's key id: {@code SHA256:} and the unpadded base64 of the SHA-256 of the key's SubjectPublicKeyInfo. */
    static String keyId(byte[] spki) {
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha256(spki));
    }

    /** An ECDSA P-256 (or any X.509 EC) signature, DER-encoded, with SHA-256. */
    static boolean verifyEcdsa(byte[] spki, byte[] message, byte[] derSignature) {
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
            return verify(key, message, derSignature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A signature by the public key of a DER X.509 certificate (a Sigstore bundle's signing certificate). */
    static boolean verifyWithCertificate(byte[] certificateDer, byte[] message, byte[] derSignature) {
        try {
            PublicKey key = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificateDer))
                    .getPublicKey();
            return verify(key, message, derSignature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean verify(PublicKey key, byte[] message, byte[] derSignature) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key " + key.getAlgorithm());
        };
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(key);
        s.update(message);
        try {
            return s.verify(derSignature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** DSSE v1 pre-authentication encoding of a payload (raw bytes). */
    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = utf8(payloadType);
        byte[] head = utf8("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ");
        byte[] out = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    /** npm's package URL: {@code pkg:npm/%40scope/name@version}. */
    static String purl(String name, String version) {
        return "pkg:npm/" + (name.startsWith("@") ? "%40" + name.substring(1) : name) + "@" + version;
    }

    /** The hex SHA-512 of an SRI integrity string's sha512 entry, or null when it has none. */
    static String sha512Hex(String integrity) {
        for (String part : integrity.trim().split("\\s+")) {
            if (part.startsWith("sha512-")) {
                String b64 = part.substring(7);
                int q = b64.indexOf('?');
                try {
                    return HexFormat.of().formatHex(Base64.getDecoder().decode(q < 0 ? b64 : b64.substring(0, q)));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Ed25519 signature by a raw 32-byte public key. */
    static boolean verifyEd25519(byte[] rawKey, byte[] message, byte[] signature) {
        try {
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
            System.arraycopy(rawKey, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** RFC 9162 §2.1.3.2: does the audit path lead from the leaf at {@code index} to {@code root} at {@code size}? */
    static boolean inclusionLeadsTo(byte[] entry, long index, long size, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        byte[] r = sha256(new byte[] {0}, entry);
        long fn = index;
        long sn = size - 1;
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = sha256(new byte[] {1}, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = sha256(new byte[] {1}, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 §2.1.4.2: is the tree of {@code to} entries with {@code toRoot} an extension of {@code from}? */
    static boolean consistent(long from, long to, byte[] fromRoot, byte[] toRoot, List<byte[]> proof) {
        if (from <= 0 || from > to) {
            return false;
        }
        if (from == to) {
            return proof.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new java.util.ArrayList<>(proof);
        if (Long.bitCount(from) == 1) {
            path.add(0, fromRoot);
        }
        long fn = from - 1;
        long sn = to - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = sha256(new byte[] {1}, c, fr);
                sr = sha256(new byte[] {1}, c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = sha256(new byte[] {1}, sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot);
    }
}
