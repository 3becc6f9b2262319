package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test Fulcio and a test Rekor on loopback, implementing just what sigstore-js calls during
 * {@code npm publish --provenance}, with the keys of a {@link TestSigstore}:
 *
 * <ul>
 *   <li>{@code POST /api/v2/signingCert}: verifies the OIDC token with the test issuer's key and the proof of
 *       possession (the token's {@code sub} signed by the requested key), then issues a leaf certificate the way the
 *       public Fulcio does for GitHub Actions: SAN {@code https://github.com/<job_workflow_ref>}, extensions issuer
 *       (1.8), source repository URI (1.12) and ref (1.14), and an embedded SCT from the test CT log.
 *   <li>{@code POST /api/v1/log/entries}: canonicalises a {@code dsse} 0.0.1 or {@code intoto} 0.0.2 proposed entry
 *       as Rekor does, appends it to a Merkle tree that already holds other leaves, and answers with the signed entry
 *       timestamp, an RFC 6962 inclusion proof and a checkpoint signed by the test Rekor key.
 * </ul>
 */
final class TestSigstoreServer implements AutoCloseable {
    private final TestSigstore sigstore;
    private final RSAKey oidcKey;
    private final HttpServer server;
    private final List<byte[]> leaves = new ArrayList<>();
    /** Every canonical body logged, in order (a test can see which entry kind sigstore-js proposed). */
    final List<JsonNode> logged = new CopyOnWriteArrayList<>();

    TestSigstoreServer(TestSigstore sigstore, RSAKey oidcKey) throws IOException {
        this.sigstore = sigstore;
        this.oidcKey = oidcKey;
        // other entries were logged before ours, so the inclusion proof has a real audit path
        for (int i = 0; i < 5; i++) {
            leaves.add(leafHash(("earlier entry " + i).getBytes(StandardCharsets.UTF_8)));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v2/signingCert", ex -> handle(ex, this::signingCert));
        server.createContext("/api/v1/log/entries", ex -> handle(ex, this::logEntry));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private interface Handler {
        JsonNode answer(JsonNode request) throws Exception;
    }

    private static void handle(HttpExchange ex, Handler h) throws IOException {
        int status = 201;
        String out;
        try {
            out = Json.write(
                    h.answer(Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))));
        } catch (Exception e) {
            status = 400;
            out = "{\"message\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}";
        }
        byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private JsonNode signingCert(JsonNode req) throws Exception {
        SignedJWT jwt = SignedJWT.parse(
                req.path("credentials").path("oidcIdentityToken").asText());
        if (!jwt.verify(new RSASSAVerifier(oidcKey))) {
            throw new IllegalArgumentException("the identity token is not signed by the test issuer");
        }
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        if (!claims.getAudience().contains("sigstore")) {
            throw new IllegalArgumentException("the identity token's audience is not sigstore");
        }
        JsonNode pkr = req.path("publicKeyRequest");
        PublicKey key = KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(
                        pem(pkr.path("publicKey").path("content").asText())));
        Signature pop = Signature.getInstance("SHA256withECDSA");
        pop.initVerify(key);
        pop.update(claims.getSubject().getBytes(StandardCharsets.UTF_8));
        if (!pop.verify(Base64.getDecoder().decode(pkr.path("proofOfPossession").asText()))) {
            throw new IllegalArgumentException("the proof of possession does not verify");
        }
        String jobWorkflowRef = claims.getStringClaim("job_workflow_ref");
        if (jobWorkflowRef == null) {
            jobWorkflowRef = claims.getStringClaim("workflow_ref");
        }
        X509Certificate leaf = sigstore.fulcioLeaf(
                key,
                "https://github.com/" + jobWorkflowRef,
                claims.getIssuer(),
                "https://github.com/" + claims.getStringClaim("repository"),
                claims.getStringClaim("ref"));
        ObjectNode out = Json.object();
        ArrayNode certs =
                out.putObject("signedCertificateEmbeddedSct").putObject("chain").putArray("certificates");
        certs.add(pem(leaf.getEncoded()));
        certs.add(pem(sigstore.caCert.getEncoded()));
        return out;
    }

    private synchronized JsonNode logEntry(JsonNode proposed) throws Exception {
        String kind = proposed.path("kind").asText();
        ObjectNode body = Json.object();
        body.put("apiVersion", proposed.path("apiVersion").asText());
        body.put("kind", kind);
        if ("dsse".equals(kind)) {
            JsonNode content = proposed.path("spec").path("proposedContent");
            String envelopeJson = content.path("envelope").asText();
            JsonNode envelope = Json.parse(envelopeJson);
            byte[] payload = Base64.getDecoder().decode(envelope.path("payload").asText());
            ObjectNode spec = body.putObject("spec");
            spec.putObject("envelopeHash")
                    .put("algorithm", "sha256")
                    .put("value", Hashes.hex(TestSigstore.sha256(envelopeJson.getBytes(StandardCharsets.UTF_8))));
            spec.putObject("payloadHash")
                    .put("algorithm", "sha256")
                    .put("value", Hashes.hex(TestSigstore.sha256(payload)));
            spec.putArray("signatures")
                    .addObject()
                    .put(
                            "signature",
                            envelope.path("signatures").get(0).path("sig").asText())
                    .put("verifier", content.path("verifiers").get(0).asText());
        } else if ("intoto".equals(kind)) {
            // Rekor keeps the intoto 0.0.2 content without the payload itself
            ObjectNode spec = ((ObjectNode) proposed.path("spec")).deepCopy();
            ((ObjectNode) spec.path("content").path("envelope")).remove("payload");
            body.set("spec", spec);
        } else {
            throw new IllegalArgumentException("unsupported entry kind " + kind);
        }
        JsonNode canonical = canonical(body);
        logged.add(canonical);
        byte[] bodyBytes = Json.write(canonical).getBytes(StandardCharsets.UTF_8);
        String bodyB64 = Base64.getEncoder().encodeToString(bodyBytes);
        leaves.add(leafHash(bodyBytes));
        long index = leaves.size() - 1L;
        long size = leaves.size();
        long integrated = System.currentTimeMillis() / 1000;
        String logIdHex = Hashes.hex(Base64.getDecoder().decode(sigstore.logId));
        String promise = "{\"body\":\"" + bodyB64 + "\",\"integratedTime\":" + integrated + ",\"logID\":\"" + logIdHex
                + "\",\"logIndex\":" + index + "}";
        byte[] root = hash(leaves.subList(0, (int) size));
        String note = "rekor.test - 1193050959916656506\n" + size + "\n"
                + Base64.getEncoder().encodeToString(root) + "\n";
        byte[] noteSig = TestSigstore.sign(sigstore.rekor.getPrivate(), note);
        byte[] hinted = new byte[4 + noteSig.length];
        System.arraycopy(Base64.getDecoder().decode(sigstore.logId), 0, hinted, 0, 4);
        System.arraycopy(noteSig, 0, hinted, 4, noteSig.length);

        ObjectNode entry = Json.object();
        entry.put("body", bodyB64);
        entry.put("integratedTime", integrated);
        entry.put("logID", logIdHex);
        entry.put("logIndex", index);
        ObjectNode verification = entry.putObject("verification");
        verification.put(
                "signedEntryTimestamp",
                Base64.getEncoder().encodeToString(TestSigstore.sign(sigstore.rekor.getPrivate(), promise)));
        ObjectNode proof = verification.putObject("inclusionProof");
        proof.put(
                "checkpoint",
                note + "\n\u2014 rekor.test " + Base64.getEncoder().encodeToString(hinted) + "\n");
        ArrayNode hashes = proof.putArray("hashes");
        for (byte[] h : path((int) index, leaves.subList(0, (int) size))) {
            hashes.add(Hashes.hex(h));
        }
        proof.put("logIndex", index);
        proof.put("rootHash", Hashes.hex(root));
        proof.put("treeSize", size);
        ObjectNode out = Json.object();
        out.set(Hashes.hex(leaves.get((int) index)), entry);
        return out;
    }

    /** RFC 6962 audit path of leaf {@code m} in {@code d}. */
    static List<byte[]> path(int m, List<byte[]> d) {
        List<byte[]> out = new ArrayList<>();
        if (d.size() <= 1) {
            return out;
        }
        int k = Integer.highestOneBit(d.size() - 1);
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(hash(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(hash(d.subList(0, k)));
        }
        return out;
    }

    /** RFC 6962 tree hash of leaf hashes. */
    static byte[] hash(List<byte[]> d) {
        if (d.size() == 1) {
            return d.get(0);
        }
        int k = Integer.highestOneBit(d.size() - 1);
        byte[] l = hash(d.subList(0, k));
        byte[] r = hash(d.subList(k, d.size()));
        byte[] b = new byte[1 + l.length + r.length];
        b[0] = 1;
        System.arraycopy(l, 0, b, 1, l.length);
        System.arraycopy(r, 0, b, 1 + l.length, r.length);
        return TestSigstore.sha256(b);
    }

    static byte[] leafHash(byte[] entry) {
        byte[] b = new byte[entry.length + 1];
        System.arraycopy(entry, 0, b, 1, entry.length);
        return TestSigstore.sha256(b);
    }

    /** JSON with every object's keys sorted, as Rekor canonicalises entry bodies. */
    static JsonNode canonical(JsonNode n) {
        if (n.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                sorted.put(e.getKey(), canonical(e.getValue()));
            }
            ObjectNode o = Json.object();
            sorted.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            n.forEach(x -> a.add(canonical(x)));
            return a;
        }
        return n;
    }

    private static byte[] pem(String pem) {
        return Base64.getMimeDecoder()
                .decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", ""));
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }
}
