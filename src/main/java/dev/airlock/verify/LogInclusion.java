package dev.airlock.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongFunction;

/**
 * (4) The approval attestation's record in the audit log: the log entry the registry attached names this package,
 * version and envelope, and its RFC 9162 inclusion proof leads to the root of a checkpoint signed by the log key.
 */
final class LogInclusion {
    private LogInclusion() {}

    /** {@code trust} answers a verified {@link LogCheckpoint} for an index, or the reason there is none (a String). */
    static Report.Check check(
            JsonNode attestation, Installed pkg, LongFunction<Object> trust, RegistryHttp http, ObjectMapper json) {
        JsonNode log = attestation.path("log");
        if (!log.isObject()) {
            return Report.Check.fail("not yet in the log: the registry has not sequenced the approval attestation"
                    + " (retry in a few seconds)");
        }
        if (!log.path("index").canConvertToLong() || !log.path("entry").isTextual()) {
            return Report.Check.fail("the attestation's log reference is malformed");
        }
        long index = log.get("index").asLong();
        String entryText = log.get("entry").asText();
        JsonNode entry;
        try {
            entry = json.readTree(entryText);
        } catch (IOException e) {
            entry = null;
        }
        if (entry == null || !"package.publish".equals(entry.path("action").asText())) {
            return Report.Check.fail("log entry " + index + " is not the record of a release");
        }
        if (!("package:" + pkg.name()).equals(entry.path("target").asText())
                || !pkg.version().equals(entry.path("detail").path("version").asText())) {
            return Report.Check.fail(
                    "log entry " + index + " records " + entry.path("target").asText() + " "
                            + entry.path("detail").path("version").asText() + ", not this package and version");
        }
        String payload =
                attestation.path("bundle").path("dsseEnvelope").path("payload").asText("");
        String envelopeHash = HexFormat.of().formatHex(VerifyCrypto.sha256(VerifyCrypto.utf8(payload)));
        if (!envelopeHash.equals(entry.path("detail").path("envelopeSha256").asText())) {
            return Report.Check.fail("log entry " + index + " records another attestation envelope");
        }
        Object t = trust.apply(index);
        if (!(t instanceof LogCheckpoint cp)) {
            return Report.Check.fail(String.valueOf(t));
        }
        if (index < 0 || index >= cp.size()) {
            return Report.Check.fail("log entry " + index + " is not covered by the checkpoint (" + cp.size()
                    + " entries): use a newer checkpoint");
        }
        RegistryHttp.Answer a = http.get("-/airlock/v1/log/proof/inclusion?index=" + index + "&size=" + cp.size());
        List<byte[]> path = new ArrayList<>();
        try {
            JsonNode proof = a.ok() ? json.readTree(a.body()) : null;
            if (proof == null || !proof.path("hashes").isArray()) {
                return Report.Check.fail("the registry answered "
                        + (a.status() == 0 ? a.body() : "HTTP " + a.status()) + " for the inclusion proof of entry "
                        + index);
            }
            for (JsonNode h : proof.get("hashes")) {
                path.add(Base64.getDecoder().decode(h.asText()));
            }
        } catch (IOException | IllegalArgumentException e) {
            return Report.Check.fail("the inclusion proof of entry " + index + " is malformed");
        }
        if (!VerifyCrypto.inclusionLeadsTo(VerifyCrypto.utf8(entryText), index, cp.size(), path, cp.root())) {
            return Report.Check.fail("log entry " + index + " is not in the log: its inclusion proof does not lead"
                    + " to the checkpoint's root (" + cp.size() + " entries)");
        }
        return Report.Check.OK;
    }
}
