package dev.airlock.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.policy.Action;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Gate;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import dev.airlock.tokens.IssuedToken;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusted publishing: maintainers (with 2FA, from a login session) link a package to one CI pipeline; the pipeline
 * exchanges its OIDC ID token for a 15-minute token that can publish and/or stage that one package — nothing else.
 * Every failed exchange is one generic 401; the reason goes to the log and the audit log.
 *
 * <p>Size: a little over 300 lines: the relationship use cases and the exchange share the stored relationship and its
 * checks; the token verification and claim matching already live in {@link OidcVerifier} and {@link ClaimMatcher}.
 */
public final class TrustService {
    private static final Logger LOG = LoggerFactory.getLogger(TrustService.class);
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);
    private static final Pattern UUID_SHAPE = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    private static final Pattern WORKFLOW_FILE = Pattern.compile("[A-Za-z0-9._-]+\\.ya?ml");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+");
    private final Database db;
    private final TrustStore store;
    private final Gate gate;
    private final TokenService tokens;
    private final AuditService audit;
    private final OidcVerifier verifier;
    private final Clock clock;
    private final String audience;

    TrustService(
            Database db,
            TrustStore store,
            Gate gate,
            TokenService tokens,
            AuditService audit,
            OidcVerifier verifier,
            Clock clock,
            String audience) {
        this.db = db;
        this.store = store;
        this.gate = gate;
        this.tokens = tokens;
        this.audit = audit;
        this.verifier = verifier;
        this.clock = clock;
        this.audience = audience;
    }

    /** The audience npm requests: {@code npm:<hostname of the registry URL>}, without the port. */
    public static TrustService create(
            Database db,
            Gate gate,
            TokenService tokens,
            AuditService audit,
            List<AirlockConfig.Issuer> issuers,
            Clock clock,
            String publicUrl) {
        String host = java.net.URI.create(publicUrl).getHost();
        return new TrustService(
                db, new JdbiTrustStore(), gate, tokens, audit, new OidcVerifier(issuers, clock), clock, "npm:" + host);
    }

    public List<TrustedPublisher> list(Actor actor, PackageName name) {
        gate.authorise(actor, Action.VIEW_TRUST, name);
        TrustedPublisher t = db.read(tx -> store.find(tx, name.toString()));
        return t == null ? List.of() : List.of(t);
    }

    /** npm trust github|gitlab|circleci: one relationship per package; needs 2FA and a fresh code. */
    public List<TrustedPublisher> create(Actor actor, PackageName name, JsonNode body) {
        try {
            return createOnce(actor, name, body);
        } catch (AirlockException e) {
            throw audit.refused(actor, "trust.create", "package:" + name, e, Map.of());
        }
    }

    private List<TrustedPublisher> createOnce(Actor actor, PackageName name, JsonNode body) {
        Decision decision = gate.decide(actor, Action.CHANGE_TRUST, name);
        Gate.refuse(decision);
        JsonNode items = body.isArray() ? body : Json.MAPPER.createArrayNode().add(body);
        if (items.size() != 1) {
            throw AirlockException.badRequest("Send exactly one trust configuration; a package has at most one.");
        }
        TrustedPublisher candidate = parse(name, items.get(0), actor.user());
        if (db.read(tx -> store.find(tx, name.toString())) != null) {
            throw AirlockException.conflict(
                    "Package " + name + " already has a trust configuration; a package has only one."
                            + " Revoke it first with `npm trust revoke " + name + " --id=<id>`.");
        }
        gate.enforce(actor, decision);
        try {
            db.write(tx -> {
                store.insert(tx, candidate);
                audit.record(
                        tx,
                        actor,
                        "trust.create",
                        "package:" + name,
                        Map.of(
                                "id",
                                candidate.id(),
                                "type",
                                candidate.type(),
                                "claims",
                                candidate.claims(),
                                "permissions",
                                candidate.permissions()));
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e, "trusted_publishers")) {
                throw AirlockException.conflict("Package " + name + " already has a trust configuration.");
            }
            throw e;
        }
        return List.of(candidate);
    }

    public void revoke(Actor actor, PackageName name, String id) {
        try {
            revokeOnce(actor, name, id);
        } catch (AirlockException e) {
            throw audit.refused(actor, "trust.revoke", "package:" + name, e, Map.of("id", String.valueOf(id)));
        }
    }

    private void revokeOnce(Actor actor, PackageName name, String id) {
        Decision decision = gate.decide(actor, Action.CHANGE_TRUST, name);
        Gate.refuse(decision);
        TrustedPublisher t = db.read(tx -> store.find(tx, name.toString()));
        if (t == null || !t.id().equalsIgnoreCase(id)) {
            throw AirlockException.notFound("No trust configuration " + id + " on " + name + ".");
        }
        gate.enforce(actor, decision);
        db.write(tx -> {
            store.delete(tx, t.id());
            audit.record(tx, actor, "trust.revoke", "package:" + name, Map.of("id", t.id(), "type", t.type()));
            return null;
        });
    }

    private TrustedPublisher parse(PackageName name, JsonNode item, String user) {
        String type = item.path("type").asText("");
        JsonNode c = item.path("claims");
        Map<String, Object> claims = new LinkedHashMap<>();
        switch (type) {
            case "github" -> {
                String repo = c.path("repository").asText("");
                String file = c.path("workflow_ref").path("file").asText("");
                if (!REPO.matcher(repo).matches()
                        || !WORKFLOW_FILE.matcher(file).matches()) {
                    throw AirlockException.badRequest("A GitHub trust needs claims.repository (owner/repo) and"
                            + " claims.workflow_ref.file (a .yml file name).");
                }
                claims.put("repository", repo);
                claims.put("workflow_ref", Map.of("file", file));
            }
            case "gitlab" -> {
                String project = c.path("project_path").asText("");
                String file = c.path("ci_config_ref_uri").path("file").asText("");
                if (!PROJECT.matcher(project).matches()
                        || !WORKFLOW_FILE.matcher(file).matches()) {
                    throw AirlockException.badRequest("A GitLab trust needs claims.project_path (group/project) and"
                            + " claims.ci_config_ref_uri.file (a .yml file name).");
                }
                claims.put("project_path", project);
                claims.put("ci_config_ref_uri", Map.of("file", file));
            }
            case "circleci" -> {
                for (String key : List.of(
                        "oidc.circleci.com/org-id",
                        "oidc.circleci.com/project-id",
                        "oidc.circleci.com/pipeline-definition-id")) {
                    String v = c.path(key).asText("");
                    if (!UUID_SHAPE.matcher(v).matches()) {
                        throw AirlockException.badRequest("A CircleCI trust needs " + key + " (a UUID).");
                    }
                    claims.put(key, v);
                }
                String origin = c.path("oidc.circleci.com/vcs-origin").asText("");
                if (origin.isEmpty() || origin.contains("://") || origin.split("/").length < 3) {
                    throw AirlockException.badRequest(
                            "A CircleCI trust needs oidc.circleci.com/vcs-origin like github.com/owner/repo.");
                }
                claims.put("oidc.circleci.com/vcs-origin", origin);
                List<String> contexts = new ArrayList<>();
                for (JsonNode ctx : c.path("oidc.circleci.com/context-ids")) {
                    if (!UUID_SHAPE.matcher(ctx.asText()).matches()) {
                        throw AirlockException.badRequest("CircleCI context ids must be UUIDs.");
                    }
                    contexts.add(ctx.asText());
                }
                if (!contexts.isEmpty()) {
                    claims.put("oidc.circleci.com/context-ids", contexts);
                }
            }
            default ->
                throw AirlockException.badRequest(
                        "Unknown trust type \"" + type + "\": use github, gitlab or circleci.");
        }
        if (!type.equals("circleci") && c.hasNonNull("environment")) {
            String env = c.get("environment").asText();
            if (env.isEmpty() || env.length() > 255) {
                throw AirlockException.badRequest("environment must be a name.");
            }
            claims.put("environment", env);
        }
        Set<String> permissions = new LinkedHashSet<>();
        for (JsonNode p : item.path("permissions")) {
            String v = p.asText();
            if (!v.equals(TrustedPublisher.PUBLISH) && !v.equals(TrustedPublisher.STAGE)) {
                throw AirlockException.badRequest(
                        "Unknown permission \"" + v + "\": use createPackage or createStagedPackage.");
            }
            permissions.add(v);
        }
        if (permissions.isEmpty()) {
            throw AirlockException.badRequest(
                    "A trust configuration needs at least one permission (--allow-publish or --allow-stage-publish).");
        }
        return new TrustedPublisher(
                UUID.randomUUID().toString(),
                name.toString(),
                type,
                claims,
                List.copyOf(permissions),
                Map.of(),
                clock.millis(),
                user);
    }

    /**
     * The OIDC exchange npm runs before publish / stage publish. Returns a 15-minute token for {@code name} alone,
     * allowed to do what the relationship permits. Every failure is the same 401 for the caller.
     */
    public String exchange(PackageName name, String idToken, Actor ci) {
        String source = ci.sourceAddress();
        try {
            if (idToken == null || idToken.isBlank()) {
                throw new OidcVerifier.Failure("no ID token");
            }
            OidcVerifier.Verified v = verifier.verify(idToken, audience);
            TrustedPublisher t = db.read(tx -> store.find(tx, name.toString()));
            if (t == null) {
                throw new OidcVerifier.Failure("package " + name + " has no trust relationship");
            }
            if (!t.type().equals(v.issuer().type())) {
                throw new OidcVerifier.Failure(
                        "issuer type " + v.issuer().type() + " does not match relationship type " + t.type());
            }
            ClaimMatcher.Match match = ClaimMatcher.match(t, v.claims());
            if (!match.ok()) {
                throw new OidcVerifier.Failure(match.reason());
            }
            Map<String, Object> identity = ClaimMatcher.identity(t.type(), v.claims());
            Set<String> allowed = new LinkedHashSet<>();
            if (t.permissions().contains(TrustedPublisher.PUBLISH)) {
                allowed.add("publish");
            }
            if (t.permissions().contains(TrustedPublisher.STAGE)) {
                allowed.add("stage");
            }
            TokenScope scope = TokenScope.builder()
                    .packages(Set.of(name.toString()))
                    .packagePermission(TokenScope.READ_WRITE)
                    .orgPermission(TokenScope.NO_ACCESS)
                    .allowed(allowed)
                    .ciIdentity(Json.write(identity))
                    .build();
            // the pipeline acts for the relationship's creator; its CI identity goes into the token and the event
            Actor pipeline = new Actor(t.createdBy(), Token.OIDC, null, source, null, scope, ci.facts());
            IssuedToken issued;
            try {
                issued = db.write(tx -> {
                    // the jti is claimed in the same transaction that issues the token: a replay issues nothing
                    if (!store.claimJti(tx, v.claims().getIssuer(), v.jti(), v.expiresAt())) {
                        throw new ReplayException();
                    }
                    if (!match.pins().equals(t.pinned())) {
                        store.pin(tx, t.id(), match.pins());
                    }
                    IssuedToken token = tokens.issueScoped(
                            tx,
                            pipeline,
                            t.createdBy(),
                            Token.OIDC,
                            "trusted publishing",
                            clock.millis() + TOKEN_LIFETIME.toMillis(),
                            scope);
                    Map<String, Object> detail = new LinkedHashMap<>(identity);
                    detail.put("allowed", List.copyOf(allowed));
                    audit.record(tx, pipeline, "oidc.exchange", "package:" + name, detail);
                    return token;
                });
            } catch (ReplayException e) {
                throw new OidcVerifier.Failure("ID token " + v.jti() + " was already used");
            } catch (RuntimeException e) {
                if (Database.isUniqueViolation(e, "oidc_jti")) {
                    throw new OidcVerifier.Failure("ID token " + v.jti() + " was already used");
                }
                throw e;
            }
            return issued.secret();
        } catch (OidcVerifier.Failure f) {
            LOG.warn("Trusted publishing exchange for {} from {} refused: {}", name, source, f.getMessage());
            db.write(tx -> {
                audit.record(tx, ci, "oidc.exchange", "failure", "package:" + name, Map.of("reason", f.getMessage()));
                return null;
            });
            throw AirlockException.unauthorized("Trusted publishing failed: the ID token was not accepted for " + name
                    + ". Check the package's trust configuration (npm trust list) and the registry log.");
        }
    }

    private static final class ReplayException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayException() {
            super(null, null, false, false);
        }
    }
}
