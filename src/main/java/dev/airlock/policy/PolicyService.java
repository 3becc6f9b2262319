package dev.airlock.policy;

import dev.airlock.audit.AuditService;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Package and org policies: npm's per-package {@code mfa} (none | publish | automation), "staging required",
 * the number of approvals a staged version needs (two-person rule), and an org's "2FA required for members".
 * A package inherits every field it does not set from its scope's org. Builds the {@link Gate}, which decides on
 * these policies; every change here is asked of the gate first.
 */
public final class PolicyService {
    private final Database db;
    private final PolicyStore store;
    private final OrgService orgs;
    private final AuditService audit;
    private final Clock clock;
    private final PackageService packages;
    private final Gate gate;

    PolicyService(
            Database db,
            PolicyStore store,
            OrgService orgs,
            AuditService audit,
            Clock clock,
            TwoFactorService twoFactor,
            PackageService packages,
            boolean bypassMayPublish,
            String consoleUrl) {
        this.packages = packages;
        this.gate = new Gate(this, twoFactor, packages, bypassMayPublish, consoleUrl);
        this.db = db;
        this.store = store;
        this.orgs = orgs;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Builds the policy feature and its gate.
     *
     * @param bypassMayPublish tokens.bypassMayPublish: may tokens that bypass 2FA publish directly where mfa allows it
     * @param consoleUrl where users add a security key (named in refusals)
     */
    public static PolicyService create(
            Database db,
            OrgService orgs,
            AuditService audit,
            Clock clock,
            TwoFactorService twoFactor,
            PackageService packages,
            boolean bypassMayPublish,
            String consoleUrl) {
        return new PolicyService(
                db, new JdbiPolicyStore(), orgs, audit, clock, twoFactor, packages, bypassMayPublish, consoleUrl);
    }

    /** The one authorisation gate. */
    public Gate gate() {
        return gate;
    }

    /** The pre-flight answer of GET /-/airlock/v1/package/NAME/policy (policy and what a credential could do). */
    public PublishPreflight preflight() {
        return new PublishPreflight(this, packages);
    }

    static String packageSubject(PackageName name) {
        return "package:" + name;
    }

    static String orgSubject(String org) {
        return "org:" + org;
    }

    public EffectivePolicy effective(Tx tx, PackageName name) {
        Policy own = store.find(tx, packageSubject(name));
        String org = orgOf(tx, name);
        Policy inherited = inherited(tx, name);
        Policy p = inherited.with(own);
        return new EffectivePolicy(
                p.mfa() == null ? Policy.MFA_NONE : p.mfa(),
                Boolean.TRUE.equals(p.stagingRequired()),
                p.approvals() == null ? 1 : p.approvals(),
                Boolean.TRUE.equals(inherited.require2fa()),
                org,
                // an org that requires security keys for approval is a floor: a package cannot switch it off
                Boolean.TRUE.equals(p.securityKeyApproval()) || Boolean.TRUE.equals(inherited.securityKeyApproval()),
                Policy.PROVENANCE_NONE.equals(p.requireProvenance()) ? null : p.requireProvenance());
    }

    /** The org whose policy the package inherits (the org that owns its scope), or null. */
    private String orgOf(Tx tx, PackageName name) {
        return name.scoped() && orgs.exists(tx, name.scope()) ? name.scope() : null;
    }

    /** The policy the package inherits: its org's own policy, or {@link Policy#EMPTY} when no org owns its scope. */
    public Policy inherited(Tx tx, PackageName name) {
        String org = orgOf(tx, name);
        return org == null ? Policy.EMPTY : store.find(tx, orgSubject(org));
    }

    public EffectivePolicy effective(PackageName name) {
        return db.read(tx -> effective(tx, name));
    }

    /** The policy set on the package itself (not inherited). */
    public Policy ofPackage(Tx tx, PackageName name) {
        return store.find(tx, packageSubject(name));
    }

    /** npm access set mfa=…, and Airlock's package policies (staging required, approvals); maintainers only. */
    public void setPackage(Actor actor, PackageName name, Policy change) {
        try {
            setPackageOnce(actor, name, change);
        } catch (AirlockException e) {
            throw audit.refused(actor, "policy.set", packageSubject(name), e, describe(change));
        }
    }

    private void setPackageOnce(Actor actor, PackageName name, Policy change) {
        String factor = gate.authorise(actor, Action.CHANGE_POLICY, name);
        if (change.require2fa() != null) {
            throw AirlockException.badRequest("\"2FA required for members\" is an org policy, not a package policy.");
        }
        db.write(tx -> {
            gate.refuseIfResetPending(tx, actor);
            packages.requireWritable(tx, actor, name);
            String subject = packageSubject(name);
            Policy old = store.find(tx, subject);
            store.save(tx, subject, old.with(change), actor.describe(), clock.millis());
            audit.record(tx, actor, "policy.set", subject, change(old, change));
            return factor;
        });
    }

    /** May the actor change this package's policy (the console shows the form only then)? Asks for no factor. */
    public boolean canChange(Actor actor, PackageName name) {
        return !gate.decide(actor, Action.CHANGE_POLICY, name).refused() && packages.canWrite(actor, name);
    }

    /** The package's own, inherited (its org's, when an org owns its scope) and effective policy, for those who can see it. */
    public PolicyView.OfPackage ofPackageView(Actor actor, PackageName name) {
        if (packages.visibility(actor, name) != PackageService.Visibility.VISIBLE) {
            throw AirlockException.notFound("Package \"" + name + "\" not found.");
        }
        return db.read(tx -> {
            EffectivePolicy e = effective(tx, name);
            return new PolicyView.OfPackage(
                    name.toString(), ofPackage(tx, name), e.org(), inherited(tx, name), PolicyView.Effective.of(e));
        });
    }

    public Policy ofOrg(Actor actor, String org) {
        return db.read(tx -> {
            orgs.requireMember(tx, actor, org);
            return store.find(tx, orgSubject(org));
        });
    }

    /** Changes an org's policy: org owners only (or an operator). */
    public void setOrg(Actor actor, String orgName, Policy change) {
        String org = OrgService.validName(orgName, "org");
        try {
            setOrgOnce(actor, org, change);
        } catch (AirlockException e) {
            throw audit.refused(actor, "policy.set", orgSubject(org), e, describe(change));
        }
    }

    private void setOrgOnce(Actor actor, String org, Policy change) {
        gate.authorise(actor, Action.CHANGE_ORG_POLICY, null);
        db.write(tx -> {
            gate.refuseIfResetPending(tx, actor);
            orgs.requireMember(tx, actor, org);
            if (!actor.isOperator() && orgs.role(tx, org, actor.user()) != OrgRole.OWNER) {
                throw AirlockException.forbidden("Only an owner of org \"" + org + "\" can change its policies.");
            }
            String subject = orgSubject(org);
            Policy old = store.find(tx, subject);
            store.save(tx, subject, old.with(change), actor.describe(), clock.millis());
            audit.record(tx, actor, "policy.set", subject, change(old, change));
            return null;
        });
    }

    /** The event detail of a policy change: the fields set (as before), and {@code old} and {@code new} values. */
    static Map<String, Object> change(Policy old, Policy change) {
        Map<String, Object> now = describe(change);
        Map<String, Object> before = describe(old);
        Map<String, Object> was = new LinkedHashMap<>();
        for (String k : now.keySet()) {
            was.put(k, before.get(k));
        }
        Map<String, Object> d = new LinkedHashMap<>(now);
        d.put("old", was);
        d.put("new", now);
        return d;
    }

    static Map<String, Object> describe(Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p.mfa() != null) {
            m.put("mfa", p.mfa());
        }
        if (p.stagingRequired() != null) {
            m.put("stagingRequired", p.stagingRequired());
        }
        if (p.approvals() != null) {
            m.put("approvals", p.approvals());
        }
        if (p.require2fa() != null) {
            m.put("require2fa", p.require2fa());
        }
        if (p.securityKeyApproval() != null) {
            m.put("securityKeyApproval", p.securityKeyApproval());
        }
        if (p.requireProvenance() != null) {
            m.put("requireProvenance", p.requireProvenance());
        }
        return m;
    }
}
