package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditEvent;
import dev.airlock.audit.AuditService;
import dev.airlock.packages.NewVersion;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.policy.EffectivePolicy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

/**
 * Attestations of versions (docs/verification.md, "Provenance"): verifies the provenance bundle npm attaches to a
 * publish or stage publish before anything is stored, enforces the {@code requireProvenance} policy, writes the
 * bundle in the caller's transaction, and serves a visible version's attestations in npm's shape.
 */
public final class AttestationService {
    public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
    private final Database db;
    private final AttestationStore store;
    private final PackageService packages;
    private final PolicyService policies;
    private final ProvenanceVerifier verifier;
    private final Clock clock;
    private final AuditService audit;

    AttestationService(
            Database db,
            AttestationStore store,
            PackageService packages,
            PolicyService policies,
            ProvenanceVerifier verifier,
            Clock clock,
            AuditService audit) {
        this.db = db;
        this.store = store;
        this.packages = packages;
        this.policies = policies;
        this.verifier = verifier;
        this.clock = clock;
        this.audit = audit;
    }

    public static AttestationService create(
            Database db,
            PackageService packages,
            PolicyService policies,
            TrustedRoot root,
            Clock clock,
            AuditService audit) {
        return new AttestationService(
                db, new JdbiAttestationStore(), packages, policies, new ProvenanceVerifier(root), clock, audit);
    }

    /** A verified provenance bundle waiting for the version's transaction (or none). */
    public record Upload(String predicateType, String bundleJson) {
        static final Upload NONE = new Upload(null, null);
    }

    /**
     * Verifies the upload's provenance bundle ({@code _attachments["<name>-<version>.sigstore"]}), if any, and the
     * package's provenance policy. On success the manifest's {@code dist.attestations} is set when a bundle came.
     */
    public Upload verifyUpload(Actor actor, NewVersion v, JsonNode body) {
        String name = v.name().toString();
        JsonNode attachment = body.path("_attachments").path(name + "-" + v.version() + ".sigstore");
        EffectivePolicy policy = policies.effective(v.name());
        String required = policy.requireProvenance();
        if (attachment.isMissingNode()) {
            if (required != null) {
                throw ProvenanceVerifier.refuse("the policy of " + name + " requires provenance built in " + required
                        + " for every release, and this upload has none (publish from CI with --provenance)");
            }
            return Upload.NONE;
        }
        JsonNode data = attachment.path("data");
        JsonNode bundle;
        try {
            bundle = data.isTextual() ? Json.parse(data.asText()) : data;
        } catch (RuntimeException e) {
            throw ProvenanceVerifier.refuse("the .sigstore attachment is not JSON");
        }
        if (!bundle.isObject()) {
            throw ProvenanceVerifier.refuse("the .sigstore attachment holds no bundle");
        }
        String sha512 = dev.airlock.platform.crypto.Hashes.hex(sha512(v.integrity()));
        ProvenanceVerifier.Verified verified = verifier.verify(bundle, purl(v.name(), v.version()), sha512);
        IdentityMatch.requireUploader(actor, verified.identity());
        if (required != null
                && !IdentityMatch.repositoryMatches(
                        required, verified.identity().repository())) {
            throw ProvenanceVerifier.refuse("the policy of " + name + " requires provenance built in " + required
                    + ", and this bundle was built in " + verified.identity().repository());
        }
        ObjectNode att = Json.object();
        att.putObject("provenance").put("predicateType", verified.predicateType());
        v.manifest().withObject("/dist").set("attestations", att);
        return new Upload(verified.predicateType(), Json.write(bundle));
    }

    /** Writes a verified upload's bundle with its version, in the publish or stage transaction. */
    public void store(Tx tx, NewVersion v, Upload upload) {
        if (upload.bundleJson() != null) {
            add(tx, v.name().toString(), v.version(), upload.predicateType(), upload.bundleJson());
        }
    }

    /**
     * Adds (or replaces) one attestation of a version in the caller's transaction: served by the attestations endpoint
     * once the version is visible. {@code bundleJson} is the entry's {@code bundle} object as JSON text.
     */
    public void add(Tx tx, String name, String version, String predicateType, String bundleJson) {
        store.put(tx, name, version, predicateType, bundleJson, clock.millis());
    }

    /** A staged version that is rejected or expires takes its attestations with it. */
    public void discard(Tx tx, String name, String version) {
        store.delete(tx, name, version);
    }

    /**
     * npm's endpoint: {@code {"attestations":[{"predicateType","bundle"},…]}} with the attestations npm's client can
     * verify (provenance); 404 when the version is not visible or has none. The approval attestation is not among
     * them: npm verifies every attestation signed with a registry key against a Rekor entry under the public Sigstore
     * root, which a self-hosted registry's attestation cannot have (docs/adr/0013-approval-attestations.md).
     */
    public JsonNode attestations(Actor actor, PackageName name, String version) {
        return answer(
                name,
                version,
                rows(actor, name, version).stream()
                        .filter(r -> !r.predicateType().equals(ApprovalAttestations.PREDICATE_TYPE))
                        .toList());
    }

    /**
     * Airlock's endpoint: every attestation of a visible version, the approval attestation with {@code log}: its
     * audit-log entry ({@code index}, the exact {@code entry} text) for an inclusion proof; 404 as npm's.
     */
    public JsonNode all(Actor actor, PackageName name, String version) {
        ObjectNode out = answer(name, version, rows(actor, name, version));
        for (JsonNode a : out.path("attestations")) {
            if (ApprovalAttestations.PREDICATE_TYPE.equals(
                    a.path("predicateType").asText())) {
                String payload =
                        a.path("bundle").path("dsseEnvelope").path("payload").asText();
                logged(name, version, payload)
                        .ifPresent(e -> ((ObjectNode) a)
                                .putObject("log")
                                .put("index", e.seq())
                                .put("entry", e.entry()));
            }
        }
        return out;
    }

    /** The release's audit-log entry, which records this approval attestation, once the log has sequenced it. */
    private java.util.Optional<AuditEvent> logged(PackageName name, String version, String payload) {
        String digest = dev.airlock.platform.crypto.Hashes.sha256Hex(payload);
        List<AuditEvent> events = audit.forTarget("package:" + name);
        for (int i = events.size() - 1; i >= 0; i--) {
            AuditEvent e = events.get(i);
            if ("package.publish".equals(e.action())
                    && e.seq() != null
                    && version.equals(e.detail().get("version"))
                    && digest.equals(e.detail().get(ApprovalAttestations.DETAIL))) {
                return java.util.Optional.of(e);
            }
        }
        return java.util.Optional.empty();
    }

    private List<AttestationStore.Row> rows(Actor actor, PackageName name, String version) {
        JsonNode manifest = packages.versionManifest(actor, name, version);
        if (!version.equals(manifest.path("version").asText())) {
            throw AirlockException.notFound("No attestations for " + name + "@" + version + ".");
        }
        return db.read(tx -> store.list(tx, name.toString(), version));
    }

    private static ObjectNode answer(PackageName name, String version, List<AttestationStore.Row> rows) {
        if (rows.isEmpty()) {
            throw AirlockException.notFound("No attestations for " + name + "@" + version + ".");
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("attestations");
        for (AttestationStore.Row r : rows) {
            list.addObject().put("predicateType", r.predicateType()).set("bundle", Json.parse(r.bundle()));
        }
        return out;
    }

    /** The digest of a {@code sha512-…} integrity (what an in-toto subject names), or null when it is not one. */
    static byte[] sha512(String integrity) {
        if (integrity == null || !integrity.startsWith("sha512-")) {
            return null;
        }
        try {
            byte[] d = Base64.getDecoder().decode(integrity.substring("sha512-".length()));
            return d.length == 64 ? d : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** npm's purl: {@code pkg:npm/%40scope/name@version}. */
    public static String purl(PackageName name, String version) {
        return "pkg:npm/" + name.toString().replace("@", "%40") + "@" + version;
    }
}
