package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.PackageVersions;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.policy.EffectivePolicy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import dev.airlock.signing.RegistrySigner;
import dev.airlock.signing.SignatureRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The approval attestation (docs/verification.md, "Approval attestations"): when a version becomes visible — approved
 * from staging, or published directly where policy allows — an in-toto statement about its tarball records who
 * uploaded it, who approved it, when and with which factor, the rule and the policy in force; it is signed with the
 * registry key in a DSSE envelope and stored with the version, and the release's audit event records its digest, all
 * in the release's transaction.
 */
public final class ApprovalAttestations implements PackageVersions.ReleaseListener {
    public static final String PREDICATE_TYPE = "https://airlock.dev/attestation/approval/v1";
    static final String PAYLOAD_TYPE = ProvenanceVerifier.INTOTO;
    /** The key of the release's audit event ({@code package.publish}) that records the envelope's digest. */
    static final String DETAIL = "envelopeSha256";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApprovalAttestations.class);
    private final AttestationService attestations;
    private final RegistrySigner signer;
    private final PolicyService policies;
    private final PackageService packages;
    private final Supplier<String> registry;
    private final Database db;

    public ApprovalAttestations(
            Database db,
            AttestationService attestations,
            RegistrySigner signer,
            PolicyService policies,
            PackageService packages,
            Supplier<String> registry) {
        this.attestations = attestations;
        this.signer = signer;
        this.policies = policies;
        this.packages = packages;
        this.registry = registry;
        this.db = db;
    }

    /**
     * Signs and stores the version's approval attestation; answers what the release's {@code package.publish} audit
     * event records with it: {@code envelopeSha256}, the SHA-256 (hex) of the envelope's base64 payload, so the log
     * entry of the release proves the attestation (docs/verification.md). A version whose integrity is not a sha512
     * (never one Airlock computed) gets none.
     */
    @Override
    public Map<String, Object> released(Tx tx, PackageVersions.Released r) {
        byte[] digest = digest(r);
        if (digest == null) {
            return Map.of();
        }
        byte[] statement = statement(tx, r, digest);
        return store(tx, r, statement, signer.sign(ProvenanceVerifier.pae(statement)));
    }

    /**
     * Signs the statement as it reads before the transaction; inside it, the statement is built again and the
     * signature kept when both are the same bytes (signed again otherwise: a policy or maintainer changed between).
     */
    @Override
    public Function<Tx, Map<String, Object>> prepare(PackageVersions.Released r) {
        byte[] digest = digest(r);
        if (digest == null) {
            return tx -> Map.of();
        }
        byte[] early = db.read(tx -> statement(tx, r, digest));
        SignatureRef signed = signer.sign(ProvenanceVerifier.pae(early));
        return tx -> {
            byte[] statement = statement(tx, r, digest);
            return store(
                    tx,
                    r,
                    statement,
                    Arrays.equals(statement, early) ? signed : signer.sign(ProvenanceVerifier.pae(statement)));
        };
    }

    private static byte[] digest(PackageVersions.Released r) {
        byte[] digest = AttestationService.sha512(r.integrity());
        if (digest == null) {
            LOG.warn(
                    "{}@{} has no sha512 integrity ({}); no approval attestation",
                    r.name(),
                    r.version(),
                    r.integrity());
        }
        return digest;
    }

    private byte[] statement(Tx tx, PackageVersions.Released r, byte[] digest) {
        return Json.write(statement(tx, PackageName.parse(r.name()), r, digest)).getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, Object> store(Tx tx, PackageVersions.Released r, byte[] statement, SignatureRef sig) {
        String payload = Base64.getEncoder().encodeToString(statement);
        ObjectNode bundle = Json.object();
        bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("publicKey").put("hint", sig.keyid());
        material.putArray("tlogEntries");
        ObjectNode envelope = bundle.putObject("dsseEnvelope");
        envelope.put("payloadType", PAYLOAD_TYPE);
        envelope.put("payload", payload);
        envelope.putArray("signatures").addObject().put("keyid", sig.keyid()).put("sig", sig.sig());
        attestations.add(tx, r.name(), r.version(), PREDICATE_TYPE, Json.write(bundle));
        return Map.of(DETAIL, Hashes.sha256Hex(payload));
    }

    private ObjectNode statement(Tx tx, PackageName name, PackageVersions.Released r, byte[] sha512) {
        ObjectNode s = Json.object();
        s.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subject = s.putArray("subject").addObject();
        subject.put("name", AttestationService.purl(name, r.version()));
        subject.putObject("digest").put("sha512", Hashes.hex(sha512));
        s.put("predicateType", PREDICATE_TYPE);
        ObjectNode p = s.putObject("predicate");
        p.put("registry", registry.get());
        Map<String, Object> how = r.authorisation();
        boolean direct = "publish".equals(how.get("method"));
        p.set("uploader", uploader(r, how, direct));
        ArrayNode approvals = p.putArray("approvals");
        if (!direct && how.get("approvedBy") instanceof Iterable<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> a) {
                    approvals
                            .addObject()
                            .put("user", String.valueOf(a.get("name")))
                            .put("at", String.valueOf(a.get("at")))
                            .put("factor", String.valueOf(a.get("factor")));
                }
            }
        }
        ObjectNode rule = p.putObject("rule");
        int required = how.get("approvalsRequired") instanceof Integer n ? n : 0;
        rule.put("approvalsRequired", required);
        rule.put("maintainers", packages.approvers(tx, r.name()).size());
        EffectivePolicy policy = policies.effective(tx, name);
        ObjectNode pol = p.putObject("policy");
        pol.put("staging", policy.stagingRequired());
        pol.put("mfa", policy.mfa());
        pol.put("approvals", policy.approvals());
        pol.put("requireSecurityKey", policy.securityKeyApproval());
        if (policy.requireProvenance() != null) {
            pol.put("requireProvenance", policy.requireProvenance());
        }
        p.put("direct", direct);
        p.put("publishedAt", Instant.ofEpochMilli(r.at()).toString());
        return s;
    }

    /** Who or what uploaded the version: a user, a token (its public id, whether it bypasses 2FA), or a CI identity. */
    private static ObjectNode uploader(PackageVersions.Released r, Map<String, Object> how, boolean direct) {
        ObjectNode u = Json.object();
        String via = String.valueOf(how.get(direct ? "via" : "stagedVia"));
        u.put(
                "kind",
                switch (via) {
                    case "oidc" -> "ci";
                    case "token" -> "token";
                    default -> "user";
                });
        Object who = how.get(direct ? "publishedBy" : "stagedBy");
        if (who != null && !"oidc".equals(via)) {
            u.put("user", who.toString());
        }
        String token = direct
                ? (r.actor().tokenKey() == null ? null : Actor.tokenId(r.actor().tokenKey()))
                : (String) how.get("stagedWithToken");
        if (token != null && !"oidc".equals(via)) {
            u.put("tokenId", token);
            if (direct) {
                u.put("bypass2fa", Boolean.TRUE.equals(how.get("bypass2fa")));
            }
        }
        if (direct && how.get("secondFactor") != null) {
            u.put("factor", how.get("secondFactor").toString());
        }
        Object ci = how.get("ci");
        if (ci != null) {
            JsonNode node = ci instanceof JsonNode j ? j : Json.MAPPER.valueToTree(ci);
            ObjectNode c = u.putObject("ci");
            node.properties().forEach(e -> {
                if (!e.getValue().isNull()) {
                    c.set(e.getKey(), e.getValue());
                }
            });
        }
        return u;
    }
}
