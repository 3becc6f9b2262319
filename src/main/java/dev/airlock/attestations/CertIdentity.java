package dev.airlock.attestations;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The build identity in a Fulcio certificate: the SAN URI (the workflow, e.g.
 * {@code https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main}) and Fulcio's extensions
 * (OID 1.3.6.1.4.1.57264.1.8 issuer, .12 source repository URI, .14 source repository ref).
 */
final class CertIdentity {
    private static final String OID = "1.3.6.1.4.1.57264.1.";

    private CertIdentity() {}

    static ProvenanceVerifier.Identity of(X509Certificate cert) {
        String san = null;
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    if (Integer.valueOf(6).equals(n.get(0))) {
                        san = (String) n.get(1);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw ProvenanceVerifier.refuse("its certificate's subject alternative name cannot be read");
        }
        String repo = utf8(cert, "12");
        return new ProvenanceVerifier.Identity(
                utf8(cert, "8"), san, repo == null ? null : repo.replaceFirst("^[a-z]+://", ""), utf8(cert, "14"));
    }

    /** An extension whose value is a DER UTF8String (Fulcio's 1.8 and later), or null. */
    private static String utf8(X509Certificate cert, String arc) {
        byte[] octets = cert.getExtensionValue(OID + arc);
        if (octets == null) {
            return null;
        }
        byte[] inner = content(octets, (byte) 0x04);
        byte[] text = inner == null ? null : content(inner, (byte) 0x0C);
        return text == null ? null : new String(text, StandardCharsets.UTF_8);
    }

    /** The content of one DER TLV with the given tag, or null. */
    private static byte[] content(byte[] der, byte tag) {
        if (der.length < 2 || der[0] != tag) {
            return null;
        }
        int len = der[1] & 0xff;
        int at = 2;
        if (len > 0x7f) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n && at < der.length; i++) {
                len = (len << 8) | (der[at++] & 0xff);
            }
        }
        return at + len > der.length ? null : Arrays.copyOfRange(der, at, at + len);
    }
}
