package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies an npm provenance bundle (a Sigstore bundle holding a DSSE envelope around an in-toto statement) against a
 * {@link TrustedRoot}, offline: the subject, the DSSE signature by the Fulcio certificate, the certificate's chain to a
 * Fulcio root at the log's integration time, the Rekor entry's signed entry timestamp and (when present) its inclusion
 * proof and checkpoint, and that the log entry is this envelope's. Returns the certificate's identity for the caller
 * to compare with who uploaded. Not checked: the certificate's SCTs (no CT log keys are required) and RFC 3161
 * timestamps. See docs/adr/0012-provenance-verification-with-the-jdk.md.
 */
public final class ProvenanceVerifier {
    static final String INTOTO = "application/vnd.in-toto+json";
    private final TrustedRoot root;

    public ProvenanceVerifier(TrustedRoot root) {
        this.root = root;
    }

    /** What the certificate says about the build. {@code repository} is host/owner/repo (github.com/acme/widget). */
    public record Identity(String issuer, String san, String repository, String ref) {}

    public record Verified(String predicateType, Identity identity) {}

    /** Every check; any failure is a 422 naming the reason. */
    public Verified verify(JsonNode bundle, String purl, String sha512Hex) {
        if (!bundle.path("mediaType").asText("").startsWith("application/vnd.dev.sigstore.bundle")) {
            throw refuse("it is not a Sigstore bundle (mediaType "
                    + bundle.path("mediaType").asText("missing") + ")");
        }
        JsonNode env = bundle.path("dsseEnvelope");
        if (!INTOTO.equals(env.path("payloadType").asText())) {
            throw refuse("the bundle holds no in-toto DSSE envelope");
        }
        byte[] payload = b64(env.path("payload"), "dsseEnvelope.payload");
        JsonNode statement = Json.parse(new String(payload, StandardCharsets.UTF_8));
        String predicateType = statement.path("predicateType").asText(null);
        if (predicateType == null) {
            throw refuse("the in-toto statement has no predicateType");
        }
        requireSubject(statement, purl, sha512Hex);
        JsonNode sigs = env.path("signatures");
        if (sigs.size() != 1) {
            throw refuse("the DSSE envelope must carry exactly one signature");
        }
        byte[] sig = b64(sigs.get(0).path("sig"), "the DSSE signature");
        X509Certificate cert = certificate(bundle.path("verificationMaterial"));
        if (!verifies(cert.getPublicKey(), "SHA256withECDSA", pae(payload), sig)) {
            throw refuse("the DSSE signature does not verify with the bundle's certificate");
        }
        JsonNode entry = bundle.path("verificationMaterial").path("tlogEntries").path(0);
        if (entry.isMissingNode()) {
            throw refuse("the bundle has no transparency-log entry");
        }
        Instant integrated = TlogChecks.verify(root, entry, payload, sig);
        requireChain(cert, integrated);
        return new Verified(predicateType, CertIdentity.of(cert));
    }

    private static void requireSubject(JsonNode statement, String purl, String sha512Hex) {
        JsonNode subjects = statement.path("subject");
        if (subjects.size() != 1) {
            throw refuse("the statement must have exactly one subject");
        }
        JsonNode s = subjects.get(0);
        if (!purl.equals(s.path("name").asText())) {
            throw refuse("its subject " + s.path("name").asText("(none)") + " is not this package, " + purl);
        }
        if (!sha512Hex.equalsIgnoreCase(s.path("digest").path("sha512").asText())) {
            throw refuse("its subject digest is not the sha512 of the uploaded tarball");
        }
    }

    /** v0.3 bundles carry {@code certificate}; older ones {@code x509CertificateChain} (leaf first). */
    private static X509Certificate certificate(JsonNode material) {
        JsonNode raw = material.path("certificate").path("rawBytes");
        if (raw.isMissingNode()) {
            raw = material.path("x509CertificateChain")
                    .path("certificates")
                    .path(0)
                    .path("rawBytes");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(b64(raw, "the signing certificate")));
        } catch (GeneralSecurityException e) {
            throw refuse("its signing certificate cannot be read");
        }
    }

    /** The certificate chains to a configured Fulcio root, valid at the time the log integrated the entry. */
    private void requireChain(X509Certificate cert, Instant at) {
        for (TrustedRoot.Authority ca : root.authorities()) {
            if (ca.start() != null && at.isBefore(ca.start()) || ca.end() != null && at.isAfter(ca.end())) {
                continue;
            }
            try {
                List<X509Certificate> path = new ArrayList<>();
                path.add(cert);
                path.addAll(ca.intermediates());
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.root(), null)));
                params.setRevocationEnabled(false);
                params.setDate(Date.from(at));
                CertPathValidator.getInstance("PKIX")
                        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
                return;
            } catch (GeneralSecurityException e) {
                // try the next authority
            }
        }
        throw refuse("its certificate does not chain to a trusted Fulcio root (or was not valid when it was logged)");
    }

    /** DSSE v1 pre-authentication encoding. */
    static byte[] pae(byte[] payload) {
        byte[] head = ("DSSEv1 " + INTOTO.length() + " " + INTOTO + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    static boolean verifies(java.security.PublicKey key, String algorithm, byte[] data, byte[] sig) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] b64(JsonNode n, String what) {
        try {
            if (!n.isTextual()) {
                throw refuse(what + " is missing");
            }
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw refuse(what + " is not base64");
        }
    }

    static byte[] sha256(byte[] b) {
        MessageDigest d = Hashes.digest("SHA-256");
        return d.digest(b);
    }

    static AirlockException refuse(String reason) {
        return new AirlockException(
                ErrorCode.UNPROCESSABLE,
                "Provenance refused: " + reason + ". Nothing was published; fix the pipeline's provenance and publish"
                        + " again.");
    }
}
