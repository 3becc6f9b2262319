package dev.airlock.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code airlock verify}: checks every package a lockfile installed from one registry against the registry's keys,
 * its attestations and its audit log, and against the consumer's policy. It reads nothing but HTTP answers, the
 * lockfile, and what the consumer pins (a checkpoint, the log key); the registry's database is out of its reach, so
 * it proves only what the signatures prove. {@code verifier/} is the same program in Node.
 */
public final class Verifier {
    /** What to check and what the consumer trusts; {@code lockfile} is a package-lock.json or a hidden lockfile. */
    public record Options(String registry, Path lockfile, Path policy, Path checkpoint, String logKey, String token) {}

    private final ObjectMapper json = new ObjectMapper();
    private final Options options;
    private final String registry;
    private final RegistryHttp http;
    private final VerifyPolicy policy;
    private final AttestationChecks attestations = new AttestationChecks(json);
    private final List<String> warnings = new ArrayList<>();
    private final String pinnedCheckpoint;
    private final LogCheckpoint.Key pinnedKey;
    private Map<String, AttestationChecks.RegistryKey> keys;
    private String keysProblem;
    private LogCheckpoint.Key logKey;
    private LogCheckpoint checkpoint;
    private String logProblem;
    private Object extended;

    /** Reads the consumer's files; a file that cannot be read or parsed is refused (a usage error). */
    public Verifier(Options options) {
        this.options = options;
        this.registry = Installed.normalizeRegistry(options.registry());
        this.http = new RegistryHttp(registry, options.token());
        this.policy = options.policy() == null ? VerifyPolicy.none() : VerifyPolicy.read(options.policy(), json);
        this.pinnedKey = options.logKey() == null ? null : LogCheckpoint.Key.parse(options.logKey());
        try {
            this.pinnedCheckpoint = options.checkpoint() == null ? null : Files.readString(options.checkpoint());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the checkpoint " + options.checkpoint(), e);
        }
    }

    public Report run() {
        Installed.Lock lock = Installed.read(options.lockfile(), registry, json);
        List<Report.Row> rows = new ArrayList<>();
        for (Installed pkg : lock.fromRegistry()) {
            rows.add(new Report.Row(pkg.name(), pkg.version(), check(pkg)));
        }
        return new Report(registry, rows, lock.elsewhere(), List.copyOf(warnings));
    }

    private Map<String, Report.Check> check(Installed pkg) {
        Map<String, Report.Check> checks = Report.emptyChecks();
        RegistryHttp.Answer doc = http.get(RegistryHttp.packumentPath(pkg.name()));
        JsonNode packument = doc.ok() ? parse(doc.body()) : null;
        JsonNode manifest =
                packument == null ? null : packument.path("versions").get(pkg.version());
        if (manifest == null || !manifest.isObject()) {
            checks.put(
                    "signature",
                    Report.Check.fail("the registry does not serve " + pkg.name() + "@" + pkg.version() + " ("
                            + (doc.status() == 0 ? doc.body() : "HTTP " + doc.status()) + ")"));
            return checks;
        }
        Instant published = instant(packument.path("time").path(pkg.version()).asText(null));
        checks.put("signature", signature(pkg, manifest, published));

        RegistryHttp.Answer att = http.get("-/airlock/v1/attestations/" + pkg.name() + "@" + pkg.version());
        JsonNode list = att.ok() ? parse(att.body()) : null;
        if (att.status() != 404 && (list == null || !list.path("attestations").isArray())) {
            String why =
                    "the attestations endpoint answered " + (att.status() == 0 ? att.body() : "HTTP " + att.status());
            checks.put("approval", Report.Check.fail(why));
            return checks;
        }
        JsonNode provenance = null;
        JsonNode approval = null;
        for (JsonNode a : list == null ? json.createArrayNode() : list.path("attestations")) {
            String type = a.path("predicateType").asText();
            if (type.startsWith("https://slsa.dev/provenance/") && provenance == null) {
                provenance = a;
            } else if (type.equals(AttestationChecks.APPROVAL) && approval == null) {
                approval = a;
            }
        }
        String repository = null;
        if (provenance != null) {
            AttestationChecks.Outcome p = attestations.provenance(provenance.path("bundle"), pkg);
            checks.put("provenance", p.check());
            repository = p.repository();
        }
        JsonNode predicate = null;
        if (approval != null) {
            Map<String, AttestationChecks.RegistryKey> known = keys();
            AttestationChecks.Outcome a = known == null
                    ? new AttestationChecks.Outcome(Report.Check.fail(keysProblem), null, null)
                    : attestations.approval(approval.path("bundle"), pkg, known, published);
            checks.put("approval", a.check());
            predicate = a.predicate();
            checks.put("log", LogInclusion.check(approval, pkg, this::checkpointFor, http, json));
        } else if (!policy.unattestedAllowed(pkg.name())) {
            checks.put("approval", Report.Check.fail("no approval attestation: the registry serves none for it"));
        }
        checks.put("policy", policy.evaluate(pkg.name(), predicate, repository));
        return checks;
    }

    /** (1) The registry signature over {@code name@version:integrity}, with the lockfile's integrity. */
    private Report.Check signature(Installed pkg, JsonNode manifest, Instant published) {
        Map<String, AttestationChecks.RegistryKey> known = keys();
        if (known == null) {
            return Report.Check.fail(keysProblem);
        }
        JsonNode sigs = manifest.path("dist").path("signatures");
        if (sigs.size() == 0) {
            return Report.Check.fail("unsigned: the registry serves no signature for it");
        }
        String problem = null;
        byte[] message = VerifyCrypto.utf8(pkg.name() + "@" + pkg.version() + ":" + pkg.integrity());
        for (JsonNode s : sigs) {
            String keyid = s.path("keyid").asText();
            AttestationChecks.RegistryKey key = known.get(keyid);
            if (key == null) {
                problem = problem != null ? problem : "signed by an unknown key " + keyid;
                continue;
            }
            if (key.expires() != null && published != null && key.expires().isBefore(published)) {
                problem = "signed by key " + keyid + ", which expired before the version was published";
                continue;
            }
            try {
                if (VerifyCrypto.verifyEcdsa(
                        key.spki(),
                        message,
                        Base64.getDecoder().decode(s.path("sig").asText()))) {
                    return Report.Check.OK;
                }
            } catch (IllegalArgumentException e) {
                // a malformed signature does not verify
            }
            String served = manifest.path("dist").path("integrity").asText("");
            problem = served.equals(pkg.integrity())
                    ? "the signature does not verify over " + pkg.name() + "@" + pkg.version() + ":<integrity>"
                    : "the lockfile's integrity is not the one the registry signed (the tarball differs)";
        }
        return Report.Check.fail(problem);
    }

    /** The registry's keys by key id (those whose id is not their key's are left out), or null with the reason. */
    private Map<String, AttestationChecks.RegistryKey> keys() {
        if (keys != null || keysProblem != null) {
            return keys;
        }
        RegistryHttp.Answer a = http.get("-/npm/v1/keys");
        JsonNode doc = a.ok() ? parse(a.body()) : null;
        if (doc == null || !doc.path("keys").isArray()) {
            keysProblem = "the registry serves no signing keys (/-/npm/v1/keys: "
                    + (a.status() == 0 ? a.body() : "HTTP " + a.status()) + ")";
            return null;
        }
        Map<String, AttestationChecks.RegistryKey> out = new HashMap<>();
        for (JsonNode k : doc.get("keys")) {
            try {
                byte[] spki = Base64.getDecoder().decode(k.path("key").asText());
                if (VerifyCrypto.keyId(spki).equals(k.path("keyid").asText())) {
                    out.put(
                            k.path("keyid").asText(),
                            new AttestationChecks.RegistryKey(
                                    spki, instant(k.path("expires").asText(null))));
                }
            } catch (IllegalArgumentException e) {
                // a key that is not base64 verifies nothing
            }
        }
        keys = out;
        return keys;
    }

    /** The checkpoint the log checks use (pinned or fetched, signed by the pinned or fetched key), or the reason. */
    private Object logCheckpoint() {
        if (checkpoint == null && logProblem == null) {
            try {
                LogCheckpoint.Key key = pinnedKey;
                if (key == null) {
                    RegistryHttp.Answer k = http.get("-/airlock/v1/log/key");
                    if (!k.ok()) {
                        throw new IllegalArgumentException("the registry serves no log key (HTTP " + k.status() + ")");
                    }
                    key = LogCheckpoint.Key.parse(k.body());
                    warnings.add("the log key was fetched from the registry being checked, so the log check trusts"
                            + " it: pin the key the registry's operator published with --log-key");
                }
                String text = pinnedCheckpoint;
                if (text == null) {
                    RegistryHttp.Answer c = http.get("-/airlock/v1/log/checkpoint");
                    if (!c.ok()) {
                        throw new IllegalArgumentException(
                                "the registry serves no checkpoint (HTTP " + c.status() + ")");
                    }
                    text = c.body();
                }
                try {
                    checkpoint = LogCheckpoint.verify(text, key);
                    logKey = key;
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            (pinnedCheckpoint != null ? "the pinned checkpoint: " : "") + e.getMessage(), e);
                }
            } catch (IllegalArgumentException e) {
                logProblem = e.getMessage();
            }
        }
        return checkpoint != null ? checkpoint : logProblem;
    }

    /**
     * A checkpoint covering {@code index}: the pinned (or fetched) one, or — for an entry after a pinned checkpoint —
     * the registry's latest, signed by the same key and proved (RFC 9162 consistency) to extend the pinned one.
     */
    private Object checkpointFor(long index) {
        Object base = logCheckpoint();
        if (!(base instanceof LogCheckpoint pinned) || index < pinned.size() || pinnedCheckpoint == null) {
            return base;
        }
        if (extended == null) {
            try {
                RegistryHttp.Answer c = http.get("-/airlock/v1/log/checkpoint");
                if (!c.ok()) {
                    throw new IllegalArgumentException("the registry serves no checkpoint (HTTP " + c.status() + ")");
                }
                LogCheckpoint latest;
                try {
                    latest = LogCheckpoint.verify(c.body(), logKey);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the registry's checkpoint: " + e.getMessage(), e);
                }
                List<byte[]> hashes = new ArrayList<>();
                if (latest.size() > pinned.size()) {
                    RegistryHttp.Answer p = http.get(
                            "-/airlock/v1/log/proof/consistency?from=" + pinned.size() + "&to=" + latest.size());
                    JsonNode proof = p.ok() ? parse(p.body()) : null;
                    for (JsonNode h : proof == null ? json.createArrayNode() : proof.path("hashes")) {
                        hashes.add(Base64.getDecoder().decode(h.asText()));
                    }
                }
                if (latest.size() < pinned.size()
                        || !VerifyCrypto.consistent(
                                pinned.size(), latest.size(), pinned.root(), latest.root(), hashes)) {
                    throw new IllegalArgumentException("the log is not an extension of the pinned checkpoint: no"
                            + " consistency proof from its " + pinned.size() + " entries to the registry's "
                            + latest.size());
                }
                extended = latest;
            } catch (IllegalArgumentException e) {
                extended = e.getMessage();
            }
        }
        return extended;
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
