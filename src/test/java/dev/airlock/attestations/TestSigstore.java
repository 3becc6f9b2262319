package dev.airlock.attestations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test Sigstore: a Fulcio CA and a Rekor key generated in the test, and bundles built exactly as sigstore-js builds
 * them for {@code npm publish --provenance} (v0.3 bundle, DSSE over an in-toto SLSA v1 statement, a {@code dsse}
 * 0.0.1 Rekor entry with its signed entry timestamp, inclusion proof and signed checkpoint).
 */
final class TestSigstore {
    final KeyPair ca = ec();
    final X509Certificate caCert;
    final KeyPair rekor = ec();
    final String logId;
    /** The certificate-transparency log whose SCTs the test Fulcio embeds (sigstore-js requires one by default). */
    final KeyPair ct = ec();

    TestSigstore() {
        caCert = cert(new X500Name("CN=test fulcio"), ca.getPublic(), ca.getPrivate(), true, null, null, null, null);
        logId = Base64.getEncoder().encodeToString(sha256(rekor.getPublic().getEncoded()));
    }

    /** A trusted_root.json naming this CA and this log. */
    Path trustedRoot(Path file) throws Exception {
        ObjectNode root = Json.object();
        ObjectNode ca = root.putArray("certificateAuthorities").addObject();
        ca.putObject("certChain").putArray("certificates").addObject().put("rawBytes", b64(caCert.getEncoded()));
        ca.putObject("validFor").put("start", "2000-01-01T00:00:00Z");
        ObjectNode log = root.putArray("tlogs").addObject();
        log.put("baseUrl", "http://rekor.test");
        log.putObject("publicKey")
                .put("rawBytes", b64(rekor.getPublic().getEncoded()))
                .put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
        log.putObject("logId").put("keyId", logId);
        ObjectNode ctlog = root.putArray("ctlogs").addObject();
        ctlog.put("baseUrl", "http://ct.test");
        ctlog.put("hashAlgorithm", "SHA2_256");
        ctlog.putObject("publicKey")
                .put("rawBytes", b64(ct.getPublic().getEncoded()))
                .put("keyDetails", "PKIX_ECDSA_P256_SHA_256")
                .putObject("validFor")
                .put("start", "2000-01-01T00:00:00Z");
        ctlog.putObject("logId").put("keyId", b64(sha256(ct.getPublic().getEncoded())));
        Files.writeString(file, Json.write(root));
        return file;
    }

    /** The workflow identity a GitHub-Actions Fulcio certificate carries. */
    record Build(String issuer, String repository, String workflowPath, String ref) {
        String san() {
            return "https://github.com/" + repository + "/" + workflowPath + "@" + ref;
        }
    }

    /** A bundle for {@code purl} whose subject digest is {@code sha512Hex}, signed through {@code signer}'s CA. */
    ObjectNode bundle(String purl, String sha512Hex, Build build, KeyPair signerCa) throws Exception {
        ObjectNode statement = Json.object();
        statement.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subject = statement.putArray("subject").addObject();
        subject.put("name", purl);
        subject.putObject("digest").put("sha512", sha512Hex);
        statement.put("predicateType", "https://slsa.dev/provenance/v1");
        statement.putObject("predicate").putObject("buildDefinition").put("buildType", "test");
        byte[] payload = Json.write(statement).getBytes(StandardCharsets.UTF_8);

        KeyPair leafKey = ec();
        X509Certificate leaf = cert(
                new X500Name("CN=test fulcio"),
                leafKey.getPublic(),
                signerCa.getPrivate(),
                false,
                build.san(),
                build.issuer(),
                "https://github.com/" + build.repository(),
                build.ref());
        byte[] sig = sign(leafKey.getPrivate(), ProvenanceVerifier.pae(payload));

        ObjectNode body = Json.object();
        body.put("apiVersion", "0.0.1");
        body.put("kind", "dsse");
        ObjectNode spec = body.putObject("spec");
        spec.putObject("payloadHash").put("algorithm", "sha256").put("value", Hashes.hex(sha256(payload)));
        spec.putArray("signatures").addObject().put("signature", b64(sig)).put("verifier", b64(leaf.getEncoded()));
        byte[] canonical = Json.write(body).getBytes(StandardCharsets.UTF_8);
        long integrated = System.currentTimeMillis() / 1000;
        long index = 7;
        String promise = "{\"body\":\"" + b64(canonical) + "\",\"integratedTime\":" + integrated + ",\"logID\":\""
                + Hashes.hex(Base64.getDecoder().decode(logId)) + "\",\"logIndex\":" + index + "}";

        ObjectNode bundle = Json.object();
        bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("certificate").put("rawBytes", b64(leaf.getEncoded()));
        ObjectNode entry = material.putArray("tlogEntries").addObject();
        entry.put("logIndex", Long.toString(index));
        entry.putObject("logId").put("keyId", logId);
        entry.putObject("kindVersion").put("kind", "dsse").put("version", "0.0.1");
        entry.put("integratedTime", Long.toString(integrated));
        entry.putObject("inclusionPromise").put("signedEntryTimestamp", b64(sign(rekor.getPrivate(), promise)));
        // a one-leaf tree: the root is the leaf hash, the audit path is empty
        byte[] leafInput = new byte[canonical.length + 1];
        System.arraycopy(canonical, 0, leafInput, 1, canonical.length);
        byte[] rootHash = sha256(leafInput);
        String note = "rekor.test - 1\n1\n" + b64(rootHash) + "\n";
        byte[] noteSig = sign(rekor.getPrivate(), note);
        byte[] hinted = new byte[4 + noteSig.length];
        System.arraycopy(Base64.getDecoder().decode(logId), 0, hinted, 0, 4);
        System.arraycopy(noteSig, 0, hinted, 4, noteSig.length);
        ObjectNode proof = entry.putObject("inclusionProof");
        proof.put("logIndex", "0").put("rootHash", b64(rootHash)).put("treeSize", "1");
        proof.putArray("hashes");
        proof.putObject("checkpoint").put("envelope", note + "\n\u2014 rekor.test " + b64(hinted) + "\n");
        entry.put("canonicalizedBody", b64(canonical));
        ObjectNode env = bundle.putObject("dsseEnvelope");
        env.put("payload", b64(payload));
        env.put("payloadType", "application/vnd.in-toto+json");
        env.putArray("signatures").addObject().put("sig", b64(sig)).put("keyid", "");
        return bundle;
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate cert(
            X500Name issuer,
            java.security.PublicKey key,
            PrivateKey signer,
            boolean ca,
            String san,
            String oidcIssuer,
            String repository,
            String ref) {
        try {
            return sign(builder(System.currentTimeMillis(), issuer, key, ca, san, oidcIssuer, repository, ref), signer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A Fulcio leaf certificate as the public Fulcio issues it: the build identity in the SAN and extensions, and an
     * embedded SCT (RFC 6962 precertificate timestamp) signed by this test's CT log key over the certificate's TBS
     * without the SCT extension, which is what sigstore-js verifies.
     */
    X509Certificate fulcioLeaf(
            java.security.PublicKey key, String san, String oidcIssuer, String repository, String ref)
            throws Exception {
        long now = System.currentTimeMillis();
        X500Name issuer = new X500Name("CN=test fulcio");
        byte[] tbs = sign(builder(now, issuer, key, false, san, oidcIssuer, repository, ref), ca.getPrivate())
                .getTBSCertificate();
        java.io.ByteArrayOutputStream signed = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(signed);
        d.writeByte(0); // v1
        d.writeByte(0); // certificate_timestamp
        d.writeLong(now);
        d.writeShort(1); // precert_entry
        d.write(sha256(ca.getPublic().getEncoded()));
        d.writeByte(tbs.length >> 16);
        d.writeShort(tbs.length & 0xffff);
        d.write(tbs);
        d.writeShort(0); // no extensions
        byte[] sig = sign(ct.getPrivate(), signed.toByteArray());
        java.io.ByteArrayOutputStream sct = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream o = new java.io.DataOutputStream(sct);
        o.writeByte(0);
        o.write(sha256(ct.getPublic().getEncoded()));
        o.writeLong(now);
        o.writeShort(0);
        o.writeByte(4); // sha256
        o.writeByte(3); // ecdsa
        o.writeShort(sig.length);
        o.write(sig);
        java.io.ByteArrayOutputStream list = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream l = new java.io.DataOutputStream(list);
        l.writeShort(sct.size() + 2);
        l.writeShort(sct.size());
        l.write(sct.toByteArray());
        JcaX509v3CertificateBuilder b = builder(now, issuer, key, false, san, oidcIssuer, repository, ref);
        b.addExtension(
                new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"),
                false,
                new org.bouncycastle.asn1.DEROctetString(list.toByteArray()));
        return sign(b, ca.getPrivate());
    }

    private static JcaX509v3CertificateBuilder builder(
            long now,
            X500Name issuer,
            java.security.PublicKey key,
            boolean ca,
            String san,
            String oidcIssuer,
            String repository,
            String ref)
            throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(now),
                new Date(now - 3_600_000),
                new Date(now + 3_600_000),
                ca ? issuer : new X500Name(""),
                key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (san != null) {
            b.addExtension(
                    Extension.subjectAlternativeName,
                    true,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, san)));
            b.addExtension(fulcio("8"), false, new DERUTF8String(oidcIssuer));
            b.addExtension(fulcio("12"), false, new DERUTF8String(repository));
            b.addExtension(fulcio("14"), false, new DERUTF8String(ref));
        }
        return b;
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static ASN1ObjectIdentifier fulcio(String arc) {
        return new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1." + arc);
    }

    static byte[] sign(PrivateKey key, String data) throws Exception {
        return sign(key, data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sign(PrivateKey key, byte[] data) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
