package dev.airlock.staging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.attestations.AttestationService;
import dev.airlock.audit.AuditService;
import dev.airlock.notifications.NotificationService;
import dev.airlock.packages.NewVersion;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.PackageVersions;
import dev.airlock.packages.TarballRef;
import dev.airlock.packages.VersionRecord;
import dev.airlock.platform.db.Database;
import dev.airlock.policy.Action;
import dev.airlock.policy.EffectivePolicy;
import dev.airlock.policy.Gate;
import dev.airlock.policy.PolicyService;
import dev.airlock.publish.PublishService;
import dev.airlock.review.ReleaseReview;
import dev.airlock.review.ReleaseReviewer;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Staged publishing: an upload lands in quarantine (invisible everywhere) and is published only when enough human
 * maintainers approve it, each with a fresh second factor. Staging never asks for a code; approving and rejecting
 * always do, and only with a login session (never an automation token). Who may do what, with which factor, is
 * asked of the {@link Gate}; this service keeps the rules about stages themselves (pending, expiry, two-person rule).
 *
 * <p>Size: a little over 300 lines because it holds the whole life of a stage (stage, list, view, review, approve,
 * reject, expire), each use case a single transaction; splitting them would separate rules that share the same
 * checks on one row.
 */
public final class StagingService {
    private static final Pattern UUID_SHAPE =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private final Database db;
    private final StageStore store;
    private final PackageService packages;
    private final PackageVersions versions;
    private final PublishService publish;
    private final PolicyService policies;
    private final Gate gate;
    private final AuditService audit;
    private final Clock clock;
    private final Duration lifetime;
    private final NotificationService notifications;

    StagingService(
            Database db,
            StageStore store,
            PackageService packages,
            PackageVersions versions,
            PublishService publish,
            PolicyService policies,
            AuditService audit,
            Clock clock,
            Duration lifetime,
            NotificationService notifications) {
        this.db = db;
        this.store = store;
        this.packages = packages;
        this.versions = versions;
        this.publish = publish;
        this.policies = policies;
        this.gate = policies.gate();
        this.audit = audit;
        this.clock = clock;
        this.lifetime = lifetime;
        this.notifications = notifications;
    }

    public static StagingService create(
            Database db,
            PackageService packages,
            PackageVersions versions,
            PublishService publish,
            PolicyService policies,
            AuditService audit,
            Clock clock,
            Duration lifetime,
            NotificationService notifications) {
        return new StagingService(
                db, new JdbiStageStore(), packages, versions, publish, policies, audit, clock, lifetime, notifications);
    }

    /** How the stager authenticated: a human's login, an automation token, or a CI identity (trusted publishing). */
    static String actorType(Actor actor) {
        if (actor.trustedPublishing()) {
            return "oidc";
        }
        return actor.interactive() ? "user" : "token";
    }

    /** Who staged: the user, or for trusted publishing the pipeline ("github:owner/repo"). */
    static String stager(Actor actor) {
        if (actor.trustedPublishing() && actor.scope() != null && actor.scope().ciIdentity() != null) {
            JsonNode id = dev.airlock.platform.json.Json.parse(actor.scope().ciIdentity());
            return id.path("provider").asText() + ":" + id.path("repository").asText();
        }
        return actor.user();
    }

    /** npm stage publish: the same validation as a publish, then a pending stage. Never asks for a code. */
    public Stage stage(Actor actor, PackageName name, JsonNode body) {
        NewVersion v;
        EffectivePolicy policy;
        AttestationService.Upload provenance;
        try {
            dev.airlock.names.NameService.refuseReserved(name, dev.airlock.names.NameService.Origin.CLIENT);
            gate.authorise(actor, Action.STAGE, name);
            policy = policies.effective(name);
            v = publish.prepare(actor, name, body);
            provenance = publish.attestations().verifyUpload(actor, v, body);
        } catch (AirlockException e) {
            throw audit.refused(actor, "stage.create", "package:" + name, e, Map.of());
        }
        long now = clock.millis();
        Stage stage = Stage.builder()
                .id(UUID.randomUUID().toString())
                .release(name.toString(), v.version(), v.tag())
                .stagedBy(stager(actor), actorType(actor), actor.tokenKey(), actor.sourceAddress())
                .tarball(v.integrity(), v.shasum(), v.size())
                .approvalsRequired(policy.approvals())
                .lifetime(now, now + lifetime.toMillis())
                .ciJson(actor.scope() == null ? null : actor.scope().ciIdentity())
                .build();
        try {
            db.write(tx -> {
                versions.insertStaged(tx, actor, v);
                publish.attestations().store(tx, v, provenance);
                store.insert(tx, stage);
                Map<String, Object> detail = new LinkedHashMap<>(Map.of(
                        "stage",
                        stage.id(),
                        "version",
                        v.version(),
                        "tag",
                        v.tag(),
                        "integrity",
                        v.integrity(),
                        "actorType",
                        stage.actorType()));
                if (stage.ciJson() != null) {
                    detail.put("ci", dev.airlock.platform.json.Json.parse(stage.ciJson()));
                }
                audit.record(tx, actor, "stage.create", "package:" + name, detail);
                // the approvers hear of it (mail) and so do webhooks, if and only if the stage commits
                notifications.enqueue(tx, StageNotice.created(stage, actor, packages.approvers(tx, name.toString())));
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e, "versions")) {
                throw AirlockException.conflict("Cannot stage " + name + "@" + v.version()
                        + ": that version was published or staged at the same moment by another request.");
            }
            throw e;
        }
        return stage;
    }

    /** A page of what waits for this actor, plus how many there are in all (npm stage list pages until it has them). */
    public record Listing(List<StageView> items, int total) {}

    public record StageView(Stage stage, List<Approval> approvals) {}

    public Listing list(Actor actor, String packageFilter, int page, int perPage) {
        gate.authorise(actor, Action.VIEW_STAGED, null);
        expire();
        return db.read(tx -> {
            List<Stage> visible = new ArrayList<>();
            Map<String, Boolean> allowed = new LinkedHashMap<>();
            for (Stage s : store.pending(tx, packageFilter)) {
                if (allowed.computeIfAbsent(s.pkg(), p -> packages.canPublish(tx, actor, p))) {
                    visible.add(s);
                }
            }
            int from = Math.min(visible.size(), page * perPage);
            int to = Math.min(visible.size(), from + perPage);
            List<StageView> items = new ArrayList<>();
            for (Stage s : visible.subList(from, to)) {
                items.add(new StageView(s, store.approvals(tx, s.id())));
            }
            return new Listing(items, visible.size());
        });
    }

    /** A stage the actor may see (may publish its package); anything else is the same 404 as an unknown id. */
    public StageView view(Actor actor, String id) {
        gate.authorise(actor, Action.VIEW_STAGED, null);
        return db.read(tx -> {
            Stage s = UUID_SHAPE.matcher(id).matches() ? store.find(tx, id) : null;
            if (s == null || !packages.canPublish(tx, actor, s.pkg())) {
                throw AirlockException.notFound("Staged package " + id + " not found.");
            }
            return new StageView(s, store.approvals(tx, s.id()));
        });
    }

    /** Where a staged version's tarball is, for those who may see the stage. */
    public TarballRef tarball(Actor actor, String id) {
        Stage s = view(actor, id).stage();
        VersionRecord v = db.read(tx -> versions.stagedVersion(tx, s.pkg(), s.version()));
        if (v == null || v.blob() == null) {
            throw AirlockException.notFound("Staged package " + id + " has no tarball any more (it was "
                    + s.status().wire() + ").");
        }
        return new TarballRef(v.blob(), v.size(), v.integrity());
    }

    public InputStream open(TarballRef ref) {
        return packages.openTarball(ref);
    }

    /**
     * What the staged version changes against the previous published version: risk signals, files, diffs. Only for
     * those who may see the stage; a stage no longer pending has no bytes to review.
     */
    public ReleaseReview review(Actor actor, String id) {
        Stage s = view(actor, id).stage();
        VersionRecord[] pair = db.read(tx -> new VersionRecord[] {
            versions.stagedVersion(tx, s.pkg(), s.version()), versions.previousPublished(tx, s.pkg(), s.tag())
        });
        VersionRecord staged = pair[0];
        if (staged == null || staged.blob() == null) {
            throw AirlockException.notFound("Staged package " + id + " has nothing to review any more (it was "
                    + s.status().wire() + ").");
        }
        VersionRecord previous = pair[1];
        try (InputStream now = packages.openTarball(new TarballRef(staged.blob(), staged.size(), staged.integrity()));
                InputStream before = previous == null || previous.blob() == null
                        ? null
                        : packages.openTarball(
                                new TarballRef(previous.blob(), previous.size(), previous.integrity()))) {
            return ReleaseReviewer.review(
                    s.pkg(),
                    s.version(),
                    dev.airlock.platform.json.Json.parse(staged.manifestJson()),
                    now,
                    previous == null ? null : previous.version(),
                    previous == null ? null : dev.airlock.platform.json.Json.parse(previous.manifestJson()),
                    before);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The result of one approval: whether the version is now published, and the N-of-M progress. */
    public record Decision(Stage stage, boolean published, int approvals, int required) {}

    /** npm stage approve: a human maintainer, 2FA enabled, a fresh code now. The N-th distinct approval publishes. */
    public Decision approve(Actor actor, String id) {
        try {
            return approveOnce(actor, id);
        } catch (AirlockException e) {
            throw audit.refused(actor, "stage.approve", targetOf(id), e, Map.of("stage", id));
        }
    }

    /** The package a stage id names, as an audit target ({@code stage:ID} when there is no such stage). */
    private String targetOf(String id) {
        Stage s = db.read(tx -> store.find(tx, id));
        return s == null ? "stage:" + id : "package:" + s.pkg();
    }

    private Decision approveOnce(Actor actor, String id) {
        expire();
        Stage s = view(actor, id).stage();
        dev.airlock.policy.Decision decision =
                gate.decide(actor, Action.APPROVE, PackageName.parse(s.pkg()), s.version());
        Gate.refuse(decision);
        long now = clock.millis();
        if (!s.pendingAt(now)) {
            throw AirlockException.conflict(
                    "Staged package " + id + " cannot be approved: it is " + stateWord(s, now) + ".");
        }
        if (s.approvalsRequired() >= 2 && actor.user().equals(s.actor())) {
            throw AirlockException.forbidden(
                    "You staged " + s.pkg() + "@" + s.version() + " yourself; its policy needs " + s.approvalsRequired()
                            + " approvals from other maintainers (two-person rule).");
        }
        String factor = gate.enforce(actor, decision);
        return db.write(tx -> {
            gate.refuseIfResetPending(tx, actor);
            Stage current = store.find(tx, id);
            if (!current.pendingAt(clock.millis())) {
                throw AirlockException.conflict("Staged package " + id + " was decided while you approved it: it is "
                        + stateWord(current, clock.millis()) + ".");
            }
            List<Approval> approvals = store.approvals(tx, id);
            if (approvals.stream().anyMatch(a -> a.user().equals(actor.user()))) {
                throw AirlockException.conflict("You already approved " + s.pkg() + "@" + s.version()
                        + "; another maintainer must approve it.");
            }
            store.addApproval(tx, id, new Approval(actor.user(), factor, clock.millis()));
            int count = approvals.size() + 1;
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("stage", id);
            detail.put("version", s.version());
            detail.put("integrity", s.integrity());
            detail.put("factor", factor);
            detail.put("approvals", count + "/" + s.approvalsRequired());
            audit.record(tx, actor, "stage.approve", "package:" + s.pkg(), detail);
            boolean done = count >= s.approvalsRequired();
            if (done) {
                // recorded with the version and served as its "airlock" field: who staged, who approved, how
                Map<String, Object> release = new LinkedHashMap<>();
                release.put("method", "staged");
                release.put("stage", id);
                release.put("stagedBy", s.actor());
                release.put("stagedVia", s.actorType());
                if (s.tokenKey() != null) {
                    // the token's public id (as the audit log gives it), never the secret
                    release.put("stagedWithToken", Actor.tokenId(s.tokenKey()));
                }
                release.put("approvalsRequired", s.approvalsRequired());
                release.put(
                        "stagedAt",
                        java.time.Instant.ofEpochMilli(s.createdAt()).toString());
                List<Map<String, Object>> approvers = new ArrayList<>();
                for (Approval a : approvals) {
                    approvers.add(Map.of(
                            "name",
                            a.user(),
                            "factor",
                            a.factor(),
                            "at",
                            java.time.Instant.ofEpochMilli(a.at()).toString()));
                }
                approvers.add(Map.of(
                        "name",
                        actor.user(),
                        "factor",
                        factor,
                        "at",
                        java.time.Instant.ofEpochMilli(clock.millis()).toString()));
                release.put("approvedBy", approvers);
                if (s.ciJson() != null) {
                    release.put("ci", dev.airlock.platform.json.Json.parse(s.ciJson()));
                }
                versions.releaseStaged(tx, actor, s.pkg(), s.version(), s.tag(), release);
                store.decide(tx, id, StageState.APPROVED, clock.millis(), actor.user());
            }
            return new Decision(store.find(tx, id), done, count, s.approvalsRequired());
        });
    }

    /** npm stage reject: the same proof of presence as approval; the staged bytes are discarded. */
    public void reject(Actor actor, String id) {
        try {
            rejectOnce(actor, id);
        } catch (AirlockException e) {
            throw audit.refused(actor, "stage.reject", targetOf(id), e, Map.of("stage", id));
        }
    }

    private void rejectOnce(Actor actor, String id) {
        expire();
        Stage s = view(actor, id).stage();
        dev.airlock.policy.Decision decision =
                gate.decide(actor, Action.REJECT, PackageName.parse(s.pkg()), s.version());
        Gate.refuse(decision);
        long now = clock.millis();
        if (!s.pendingAt(now)) {
            throw AirlockException.conflict(
                    "Staged package " + id + " cannot be rejected: it is " + stateWord(s, now) + ".");
        }
        String factor = gate.enforce(actor, decision);
        db.write(tx -> {
            store.decide(tx, id, StageState.REJECTED, clock.millis(), actor.user());
            versions.discardStaged(tx, s.pkg(), s.version());
            publish.attestations().discard(tx, s.pkg(), s.version());
            audit.record(
                    tx,
                    actor,
                    "stage.reject",
                    "package:" + s.pkg(),
                    Map.of("stage", id, "version", s.version(), "factor", factor));
            return null;
        });
    }

    private static String stateWord(Stage s, long now) {
        return s.statusAt(now).wire();
    }

    /**
     * What waits for approval at {@code now}: the number of pending stages, the creation time of the oldest ({@code
     * now} when there is none) and {@code now}. One indexed query (metrics read it at every scrape).
     */
    public record PendingSummary(long count, long oldestStagedAt, long now) {
        /** How long the oldest pending stage has waited; zero when nothing waits. */
        public Duration oldestAge() {
            return Duration.ofMillis(Math.max(0, now - oldestStagedAt));
        }
    }

    public PendingSummary pendingSummary() {
        long now = clock.millis();
        return db.read(tx -> store.pendingSummary(tx, now));
    }

    /**
     * Pending stages (not expired) staged at or before {@code createdBefore}, oldest first, with no access check: for
     * the alert rules, which run as the server itself (one indexed query).
     */
    public List<Stage> waitingSince(long createdBefore) {
        return db.read(tx -> store.pendingCreatedBefore(tx, createdBefore, clock.millis()));
    }

    /** The stage with this id, or null; no access check (for the alert rules). */
    public Stage find(String id) {
        return db.read(tx -> store.find(tx, id));
    }

    /** Expires pending stages past their time: no longer approvable, tarballs freed, an audit event each. */
    public int expire() {
        long now = clock.millis();
        List<Stage> due = db.read(tx -> store.expiredPending(tx, now));
        for (Stage s : due) {
            db.write(tx -> {
                Stage current = store.find(tx, s.id());
                if (current.status() == StageState.PENDING) {
                    store.decide(tx, s.id(), StageState.EXPIRED, now, null);
                    versions.discardStaged(tx, s.pkg(), s.version());
                    publish.attestations().discard(tx, s.pkg(), s.version());
                    audit.record(
                            tx,
                            Actor.operator(),
                            "stage.expire",
                            "package:" + s.pkg(),
                            Map.of("stage", s.id(), "version", s.version()));
                }
                return null;
            });
        }
        return due.size();
    }
}
