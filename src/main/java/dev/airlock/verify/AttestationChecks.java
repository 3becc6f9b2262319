package dev.airlock.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * The checks of one version's attestations: a provenance bundle's form, signature and subject, and the approval
 * attestation's DSSE signature by a registry key and its subject. Each answers a {@link Report.Check} naming what is
 * wrong.
 */
final class AttestationChecks {
    static final String APPROVAL = "https://airlock.dev/attestation/approval/v1";
    static final String IN_TOTO = "application/vnd.in-toto+json";

    /** A registry key from {@code /-/npm/v1/keys}: its SPKI and when it expires (null: never). */
    record RegistryKey(byte[] spki, Instant expires) {}

    /** A check's outcome and what it established: the statement's predicate, or the provenance's repository. */
    record Outcome(Report.Check check, JsonNode predicate, String repository) {}

    private final ObjectMapper json;

    AttestationChecks(ObjectMapper json) {
        this.json = json;
    }

    /** The statement of a DSSE envelope whose subject is the lockfile's package and tarball, or the reason not. */
    private Object statement(JsonNode envelope, String what, Installed pkg) {
        if (!envelope.isObject() || !envelope.path("payload").isTextual()) {
            return Report.Check.fail("the " + what + " is malformed: no DSSE envelope with a payload");
        }
        if (!IN_TOTO.equals(envelope.path("payloadType").asText())) {
            return Report.Check.fail("the " + what + "'s payload is not an in-toto statement");
        }
        JsonNode st;
        try {
            st = json.readTree(
                    Base64.getDecoder().decode(envelope.get("payload").asText()));
        } catch (IOException | IllegalArgumentException e) {
            return Report.Check.fail("the " + what + "'s statement is not JSON");
        }
        String purl = VerifyCrypto.purl(pkg.name(), pkg.version());
        String sha512 = VerifyCrypto.sha512Hex(pkg.integrity());
        boolean named = false;
        String other = null;
        for (JsonNode s : st.path("subject")) {
            if (purl.equals(s.path("name").asText())) {
                named = true;
                if (sha512 != null
                        && sha512.equals(s.path("digest").path("sha512").asText())) {
                    return st;
                }
                other = s.path("digest").path("sha512").asText();
            } else if (other == null) {
                other = s.path("name").asText();
            }
        }
        if (named) {
            return Report.Check.fail("the " + what + " is for another tarball (sha512 " + abbrev(other)
                    + "), not the lockfile's (" + abbrev(sha512) + ")");
        }
        return Report.Check.fail("the " + what + " is for " + other + ", not " + purl);
    }

    private static String abbrev(String hex) {
        return hex == null || hex.length() < 16 ? String.valueOf(hex) : hex.substring(0, 16) + "…";
    }

    private static byte[] pae(JsonNode envelope) {
        return VerifyCrypto.pae(
                envelope.path("payloadType").asText(),
                Base64.getDecoder().decode(envelope.path("payload").asText()));
    }

    /** (2) Provenance: a well-formed Sigstore bundle whose DSSE signature verifies with its certificate. */
    Outcome provenance(JsonNode bundle, Installed pkg) {
        if (!bundle.path("mediaType").asText().startsWith("application/vnd.dev.sigstore.bundle")) {
            return new Outcome(Report.Check.fail("the provenance is not a Sigstore bundle"), null, null);
        }
        JsonNode material = bundle.path("verificationMaterial");
        JsonNode cert = material.path("certificate").path("rawBytes");
        if (!cert.isTextual()) {
            cert = material.path("x509CertificateChain")
                    .path("certificates")
                    .path(0)
                    .path("rawBytes");
        }
        if (!cert.isTextual()) {
            return new Outcome(Report.Check.fail("the provenance bundle has no signing certificate"), null, null);
        }
        if (material.path("tlogEntries").size() == 0) {
            return new Outcome(Report.Check.fail("the provenance bundle has no transparency-log entry"), null, null);
        }
        JsonNode envelope = bundle.path("dsseEnvelope");
        Object st = statement(envelope, "provenance", pkg);
        if (st instanceof Report.Check fail) {
            return new Outcome(fail, null, null);
        }
        boolean signed = false;
        try {
            byte[] certDer = Base64.getDecoder().decode(cert.asText());
            byte[] message = pae(envelope);
            for (JsonNode s : envelope.path("signatures")) {
                signed |= VerifyCrypto.verifyWithCertificate(
                        certDer,
                        message,
                        Base64.getDecoder().decode(s.path("sig").asText()));
            }
        } catch (IllegalArgumentException e) {
            signed = false;
        }
        if (!signed) {
            return new Outcome(
                    Report.Check.fail("the provenance's DSSE signature does not verify with its certificate"),
                    null,
                    null);
        }
        JsonNode predicate = ((JsonNode) st).path("predicate");
        String repo = predicate
                .path("buildDefinition")
                .path("externalParameters")
                .path("workflow")
                .path("repository")
                .asText("");
        return new Outcome(Report.Check.OK, predicate, normalizeRepository(repo));
    }

    static String normalizeRepository(String url) {
        return url.replaceFirst("^git\\+", "")
                .replaceFirst("^[a-z]+://", "")
                .replaceFirst("/+$", "")
                .replaceFirst("\\.git$", "");
    }

    /** (3) The approval attestation: DSSE signed by a registry key valid at publication, subject = this tarball. */
    Outcome approval(JsonNode bundle, Installed pkg, Map<String, RegistryKey> keys, Instant published) {
        JsonNode envelope = bundle.path("dsseEnvelope");
        if (!envelope.isObject() || !envelope.path("payload").isTextual()) {
            return new Outcome(
                    Report.Check.fail("the approval attestation is malformed: no DSSE envelope with a payload"),
                    null,
                    null);
        }
        String problem = null;
        boolean signed = false;
        for (JsonNode s : envelope.path("signatures")) {
            String keyid = s.path("keyid").asText();
            RegistryKey key = keys.get(keyid);
            if (key == null) {
                problem = problem != null ? problem : "the approval attestation is signed by an unknown key " + keyid;
            } else if (key.expires() != null
                    && published != null
                    && key.expires().isBefore(published)) {
                problem = "the approval attestation is signed by key " + keyid + ", which expired before the version"
                        + " was published";
            } else {
                try {
                    if (VerifyCrypto.verifyEcdsa(
                            key.spki(),
                            pae(envelope),
                            Base64.getDecoder().decode(s.path("sig").asText()))) {
                        signed = true;
                        break;
                    }
                } catch (IllegalArgumentException e) {
                    // a malformed signature does not verify
                }
                problem = "the approval attestation's DSSE signature does not verify with registry key " + keyid;
            }
        }
        if (!signed) {
            return new Outcome(
                    Report.Check.fail(problem != null ? problem : "the approval attestation carries no signature"),
                    null,
                    null);
        }
        Object st = statement(envelope, "approval attestation", pkg);
        if (st instanceof Report.Check fail) {
            return new Outcome(fail, null, null);
        }
        if (!APPROVAL.equals(((JsonNode) st).path("predicateType").asText())) {
            return new Outcome(
                    Report.Check.fail("the approval attestation's statement is not an approval"), null, null);
        }
        return new Outcome(Report.Check.OK, ((JsonNode) st).path("predicate"), null);
    }
}
