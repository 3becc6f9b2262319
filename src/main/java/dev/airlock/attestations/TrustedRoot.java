package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Sigstore {@code trusted_root.json} that provenance verification uses: the Fulcio certificate
 * authorities (each a chain, leaf-most first, with its validity window) and the Rekor transparency-log keys by log id.
 * The default is the public-good instance's root shipped with Airlock ({@code provenance.trustedRoot} replaces it).
 */
public final class TrustedRoot {
    /** One Fulcio CA: its self-signed root, the intermediates below it, and when it issued certificates. */
    record Authority(X509Certificate root, List<X509Certificate> intermediates, Instant start, Instant end) {}

    /** One Rekor log: its key and the algorithm name for {@link java.security.Signature}. */
    record Log(PublicKey key, String algorithm) {}

    private final List<Authority> authorities;
    private final Map<String, Log> logs;

    private TrustedRoot(List<Authority> authorities, Map<String, Log> logs) {
        this.authorities = List.copyOf(authorities);
        this.logs = Map.copyOf(logs);
    }

    /** The root in {@code file}, or the shipped public-good root when {@code file} is null. */
    public static TrustedRoot load(Path file) {
        try (InputStream in = file == null
                ? TrustedRoot.class.getResourceAsStream("/sigstore/trusted_root.json")
                : Files.newInputStream(file)) {
            if (in == null) {
                throw new IllegalStateException("the shipped sigstore/trusted_root.json is missing");
            }
            return parse(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Sigstore trusted root " + file, e);
        }
    }

    public static TrustedRoot parse(JsonNode root) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<Authority> authorities = new ArrayList<>();
            for (JsonNode ca : root.path("certificateAuthorities")) {
                List<X509Certificate> chain = new ArrayList<>();
                for (JsonNode c : ca.path("certChain").path("certificates")) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                            Base64.getDecoder().decode(c.path("rawBytes").asText()))));
                }
                // the anchor is the self-signed certificate, wherever the file lists it
                X509Certificate anchor = chain.stream()
                        .filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("a certificate authority has no root"));
                List<X509Certificate> intermediates = new ArrayList<>(chain);
                intermediates.remove(anchor);
                authorities.add(new Authority(anchor, intermediates, time(ca, "start"), time(ca, "end")));
            }
            Map<String, Log> logs = new LinkedHashMap<>();
            for (JsonNode t : root.path("tlogs")) {
                JsonNode pk = t.path("publicKey");
                String details = pk.path("keyDetails").asText("");
                boolean ed = details.contains("ED25519");
                PublicKey key = KeyFactory.getInstance(ed ? "Ed25519" : "EC")
                        .generatePublic(new X509EncodedKeySpec(
                                Base64.getDecoder().decode(pk.path("rawBytes").asText())));
                logs.put(t.path("logId").path("keyId").asText(), new Log(key, ed ? "Ed25519" : "SHA256withECDSA"));
            }
            if (authorities.isEmpty() || logs.isEmpty()) {
                throw new IllegalArgumentException(
                        "the Sigstore trusted root needs at least one certificateAuthorities and one tlogs entry");
            }
            return new TrustedRoot(authorities, logs);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the Sigstore trusted root holds an unreadable key or certificate", e);
        }
    }

    private static Instant time(JsonNode ca, String field) {
        JsonNode t = ca.path("validFor").path(field);
        return t.isTextual() ? Instant.parse(t.asText()) : null;
    }

    List<Authority> authorities() {
        return authorities;
    }

    /** The log whose id (base64 of the SHA-256 of its key, as in bundles) is {@code keyId}, or null. */
    Log log(String keyId) {
        return logs.get(keyId);
    }

    /** A checkpoint signature's 4-byte key hint names the log whose id starts with those bytes. */
    Log logByHint(byte[] hint) {
        for (Map.Entry<String, Log> e : logs.entrySet()) {
            byte[] id = Base64.getDecoder().decode(e.getKey());
            if (id.length >= 4 && java.util.Arrays.equals(id, 0, 4, hint, 0, 4)) {
                return e.getValue();
            }
        }
        return null;
    }
}
