package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A security key in software, for tests without a browser: an ES256 (P-256) credential whose assertions are built
 * as a browser and authenticator would (clientDataJSON, authenticatorData with user present and verified, a DER
 * ECDSA signature over both), so the server's real WebAuthn verification checks them. The credential is stored
 * with {@link #credentialId()}, {@link #userHandle()} and {@link #publicKeyCose()} (what a registration would have
 * saved), not through a registration ceremony.
 */
public final class SoftwareKey {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final KeyPair pair;
    private final String credentialId;
    private final String userHandle;
    private int counter;

    public SoftwareKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            pair = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[16];
        random.nextBytes(id);
        byte[] handle = new byte[32];
        random.nextBytes(handle);
        credentialId = B64.encodeToString(id);
        userHandle = B64.encodeToString(handle);
    }

    public String credentialId() {
        return credentialId;
    }

    public String userHandle() {
        return userHandle;
    }

    /** The public key as COSE (CBOR map: kty EC2, alg ES256, crv P-256, x, y), base64url. */
    public String publicKeyCose() {
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20});
        out.writeBytes(unsigned32(pub.getW().getAffineX()));
        out.writeBytes(new byte[] {0x22, 0x58, 0x20});
        out.writeBytes(unsigned32(pub.getW().getAffineY()));
        return B64.encodeToString(out.toByteArray());
    }

    /**
     * The browser's answer to a ceremony's options ({@code browserJson} as the server gave it), made at
     * {@code origin}: the credential JSON the console posts.
     */
    public String answer(String browserJson, String origin) {
        JsonNode options = Json.parse(browserJson).path("publicKey");
        String rpId = options.path("rpId").asText();
        byte[] clientData = Json.write(Json.object()
                        .put("type", "webauthn.get")
                        .put("challenge", options.path("challenge").asText())
                        .put("origin", origin)
                        .put("crossOrigin", false))
                .getBytes(StandardCharsets.UTF_8);
        try {
            byte[] rpHash = MessageDigest.getInstance("SHA-256").digest(rpId.getBytes(StandardCharsets.UTF_8));
            byte[] authData = ByteBuffer.allocate(37)
                    .put(rpHash)
                    .put((byte) 0x05)
                    .putInt(++counter)
                    .array();
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(authData);
            s.update(MessageDigest.getInstance("SHA-256").digest(clientData));
            var response = Json.object()
                    .put("authenticatorData", B64.encodeToString(authData))
                    .put("clientDataJSON", B64.encodeToString(clientData))
                    .put("signature", B64.encodeToString(s.sign()))
                    .put("userHandle", userHandle);
            var credential = Json.object()
                    .put("type", "public-key")
                    .put("id", credentialId)
                    .put("rawId", credentialId);
            credential.set("response", response);
            credential.set("clientExtensionResults", Json.object());
            return Json.write(credential);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned32(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
