package dev.airlock.attestations;

import static dev.airlock.attestations.ProvenanceVerifier.b64;
import static dev.airlock.attestations.ProvenanceVerifier.refuse;
import static dev.airlock.attestations.ProvenanceVerifier.sha256;
import static dev.airlock.attestations.ProvenanceVerifier.verifies;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Rekor entry of a bundle, as sigstore-js checks it: the signed entry timestamp over the canonical entry, the
 * inclusion proof against a checkpoint signed by the same log (when the bundle carries one), and that the entry's body
 * records this envelope's signature and payload hash ({@code dsse} 0.0.1 or {@code intoto} 0.0.2 entries).
 */
final class TlogChecks {
    private static final Pattern NOTE_SIGNATURE = Pattern.compile("\u2014 (\\S+) (\\S+)\n");

    private TlogChecks() {}

    /** Returns the integration time. */
    static Instant verify(TrustedRoot root, JsonNode entry, byte[] payload, byte[] sig) {
        String logId = entry.path("logId").path("keyId").asText();
        TrustedRoot.Log log = root.log(logId);
        if (log == null) {
            throw refuse("its transparency-log entry is from a log this registry does not trust");
        }
        byte[] body = b64(entry.path("canonicalizedBody"), "the log entry's canonicalizedBody");
        long integratedTime = entry.path("integratedTime").asLong(-1);
        long logIndex = entry.path("logIndex").asLong(-1);
        byte[] set = b64(entry.path("inclusionPromise").path("signedEntryTimestamp"), "the signed entry timestamp");
        // Rekor's verification payload, canonical JSON (keys sorted, no spaces)
        String promise = "{\"body\":\"" + Base64.getEncoder().encodeToString(body) + "\",\"integratedTime\":"
                + integratedTime + ",\"logID\":\""
                + Hashes.hex(Base64.getDecoder().decode(logId))
                + "\",\"logIndex\":" + logIndex + "}";
        if (!verifies(log.key(), log.algorithm(), promise.getBytes(StandardCharsets.UTF_8), set)) {
            throw refuse("its transparency-log entry's signed entry timestamp does not verify with the Rekor key");
        }
        if (entry.has("inclusionProof")) {
            inclusion(root, entry.get("inclusionProof"), body);
        }
        requireSameEnvelope(Json.parse(new String(body, StandardCharsets.UTF_8)), payload, sig);
        return Instant.ofEpochSecond(integratedTime);
    }

    private static void requireSameEnvelope(JsonNode body, byte[] payload, byte[] sig) {
        String kind = body.path("kind").asText();
        JsonNode spec = body.path("spec");
        String payloadHash;
        byte[] logged;
        if ("dsse".equals(kind)) {
            payloadHash = spec.path("payloadHash").path("value").asText();
            logged = spec.path("signatures").size() == 1
                    ? b64(spec.path("signatures").get(0).path("signature"), "the logged signature")
                    : null;
        } else if ("intoto".equals(kind)) {
            JsonNode content = spec.path("content");
            payloadHash = content.path("payloadHash").path("value").asText();
            JsonNode s = content.path("envelope").path("signatures");
            // intoto 0.0.2 stores the signature base64-encoded twice
            logged = s.size() == 1
                    ? Base64.getDecoder().decode(b64(s.get(0).path("sig"), "the logged signature"))
                    : null;
        } else {
            throw refuse("its transparency-log entry is of kind " + kind + ", not dsse or intoto");
        }
        if (logged == null || !Arrays.equals(logged, sig)) {
            throw refuse("its transparency-log entry records another signature than the bundle's");
        }
        if (!Hashes.hex(sha256(payload)).equalsIgnoreCase(payloadHash)) {
            throw refuse("its transparency-log entry records another payload than the bundle's");
        }
    }

    private static void inclusion(TrustedRoot root, JsonNode proof, byte[] body) {
        long index = proof.path("logIndex").asLong(-1);
        long size = proof.path("treeSize").asLong(-1);
        byte[] rootHash = b64(proof.path("rootHash"), "the inclusion proof's root hash");
        byte[] leaf = new byte[body.length + 1];
        System.arraycopy(body, 0, leaf, 1, body.length);
        byte[] r = sha256(leaf);
        long fn = index;
        long sn = size - 1;
        if (index < 0 || index >= size) {
            throw refuse("its inclusion proof's index is outside the tree");
        }
        for (JsonNode h : proof.path("hashes")) {
            byte[] p = b64(h, "an inclusion proof hash");
            if (sn == 0) {
                throw refuse("its inclusion proof is too long");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0 || !Arrays.equals(r, rootHash)) {
            throw refuse("its inclusion proof does not lead to the logged root hash");
        }
        String envelope = proof.path("checkpoint").path("envelope").asText("");
        int split = envelope.indexOf("\n\n");
        if (split < 0) {
            throw refuse("its inclusion proof has no signed checkpoint");
        }
        String note = envelope.substring(0, split + 1);
        String[] lines = note.split("\n");
        if (lines.length < 3
                || !lines[1].equals(Long.toString(size))
                || !Arrays.equals(Base64.getDecoder().decode(lines[2]), rootHash)) {
            throw refuse("its checkpoint is not for the proof's tree");
        }
        Matcher m = NOTE_SIGNATURE.matcher(envelope.substring(split + 2));
        while (m.find()) {
            byte[] s = Base64.getDecoder().decode(m.group(2));
            TrustedRoot.Log log = s.length > 4 ? root.logByHint(Arrays.copyOf(s, 4)) : null;
            if (log != null
                    && verifies(
                            log.key(),
                            log.algorithm(),
                            note.getBytes(StandardCharsets.UTF_8),
                            Arrays.copyOfRange(s, 4, s.length))) {
                return;
            }
        }
        throw refuse("its checkpoint is not signed by a trusted Rekor key");
    }

    private static byte[] node(byte[] left, byte[] right) {
        byte[] b = new byte[1 + left.length + right.length];
        b[0] = 1;
        System.arraycopy(left, 0, b, 1, left.length);
        System.arraycopy(right, 0, b, 1 + left.length, right.length);
        return sha256(b);
    }
}
