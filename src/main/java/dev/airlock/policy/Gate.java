package dev.airlock.policy;

import dev.airlock.packages.PackageService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.twofactor.TwoFactorService;

/**
 * The one place that answers "may this actor do this to this package now, and with which factor?". Adapters, the
 * console and the command line ask it, then call one use case; services that sit above the policy feature (publish,
 * staging, trust) ask it themselves. Nothing is consumed by {@link #decide}: {@link #enforce} throws a refusal or
 * verifies the second factor the actor presented and returns its name.
 *
 * <p>What it decides: direct publish versus staging required; the package's {@code mfa} setting (npm's
 * {@code npm access set mfa=none|publish|automation}); tokens that bypass 2FA and {@code tokens.bypassMayPublish};
 * an org's "2FA required for members"; actions only a person may take (approve, reject, trust, tokens); the fence
 * around tokens from a trusted-publishing exchange; granular token scopes (packages, scopes, read-only / read-write);
 * fresh-factor requirements; the security-key-only approval policy. Not decided here: who maintains a package and
 * what a restricted package shows to whom (data rules of the packages feature, which also re-checks them inside its
 * transactions), and a token's expiry and CIDR list (checked when the token is resolved: an expired token or a
 * request from outside its ranges never becomes an actor).
 */
public final class Gate {
    private static final java.util.Set<Action> HELD_BY_RESET = java.util.EnumSet.of(
            Action.APPROVE,
            Action.CREATE_TOKEN,
            Action.CHANGE_POLICY,
            Action.CHANGE_ORG_POLICY,
            Action.CHANGE_TRUST,
            Action.CHANGE_OWNERS);
    private final PolicyService policies;
    private final TwoFactorService twoFactor;
    private final PackageService packages;
    private final boolean bypassMayPublish;
    private final String consoleUrl;

    public Gate(
            PolicyService policies,
            TwoFactorService twoFactor,
            PackageService packages,
            boolean bypassMayPublish,
            String consoleUrl) {
        this.policies = policies;
        this.twoFactor = twoFactor;
        this.packages = packages;
        this.bypassMayPublish = bypassMayPublish;
        this.consoleUrl = consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
    }

    /** Decides and enforces: throws the refusal or the factor challenge; returns the verified factor, or null. */
    public String authorise(Actor actor, Action action, PackageName name) {
        return enforce(actor, decide(actor, action, name, null));
    }

    /** As {@link #authorise(Actor, Action, PackageName)} for one version (approve, reject, tarball delete). */
    public String authorise(Actor actor, Action action, PackageName name, String version) {
        return enforce(actor, decide(actor, action, name, version));
    }

    /** Throws a refusal; verifies a required fresh factor (actor.otp) and returns its name; null when none was needed. */
    public String enforce(Actor actor, Decision decision) {
        if (decision instanceof Decision.Refused r) {
            throw r.exception();
        }
        if (decision instanceof Decision.NeedsOtp n) {
            return twoFactor.verify(actor, n.what(), false);
        }
        if (decision instanceof Decision.NeedsSecurityKey k) {
            return twoFactor.verify(actor, k.what(), true);
        }
        return null;
    }

    public Decision decide(Actor actor, Action action, PackageName name) {
        return decide(actor, action, name, null);
    }

    /** The decision table. {@code name} is null for actions on no package; {@code version} only where it matters. */
    public Decision decide(Actor actor, Action action, PackageName name, String version) {
        if (action == Action.READ) {
            return Decision.Allowed
                    .INSTANCE; // what a read shows (restricted packages, anonymous reads) is the packages feature's
        }
        if (!actor.authenticated()) {
            return Decision.refused(ErrorCode.UNAUTHORIZED, "You must be logged in to do this. Run `npm login` first.");
        }
        if (actor.trustedPublishing() && !action.openToTrustedPublishing()) {
            return Decision.forbidden(
                    switch (action) {
                        case VIEW_STAGED, APPROVE, REJECT ->
                            "A token from trusted publishing can only publish or stage; it cannot"
                                    + " list, view, download, approve or reject staged versions.";
                        default -> "A token from trusted publishing can only publish or stage its package.";
                    });
        }
        if (HELD_BY_RESET.contains(action)) {
            // an account whose second factor is about to be reset approves, creates tokens and changes policies no
            // more until the reset is cancelled or done (docs/recovery.md)
            var pending = twoFactor.resetHold().refusalFor(actor);
            if (pending.isPresent()) {
                return Decision.forbidden(pending.get());
            }
        }
        return switch (action) {
            case PUBLISH -> PublishRules.directPublish(this, actor, name);
            case STAGE -> PublishRules.stage(this, actor, name);
            case VIEW_STAGED, OTHER -> Decision.Allowed.INSTANCE;
            case APPROVE, REJECT -> approval(actor, action, name, version);
            case CHANGE_DIST_TAGS, DEPRECATE, UNPUBLISH ->
                orElse(writeAccess(actor, action, name), () -> forWrites(actor));
            case DELETE_TARBALL ->
                orElse(
                        writeAccess(actor, action, name),
                        // npm sends this DELETE after the PUT that already unpublished the version: nothing left to
                        // change
                        () -> packages.isPublished(name, version) ? forWrites(actor) : Decision.Allowed.INSTANCE);
            case CHANGE_OWNERS -> packageAdmin(actor, action, name, "change owners");
            case CHANGE_ACCESS -> packageAdmin(actor, action, name, "change access settings");
            case CHANGE_POLICY -> packageAdmin(actor, action, name, "change policies");
            case CHANGE_ORG_POLICY, CHANGE_ORG, CHANGE_PROFILE -> forWrites(actor);
            case VIEW_TRUST, CHANGE_TRUST -> trust(actor, action, name);
            case CREATE_TOKEN -> orElse(interactiveOnly(actor, "create tokens"), () -> forWrites(actor));
            case REVOKE_TOKEN -> orElse(interactiveOnly(actor, "revoke tokens"), () -> forWrites(actor));
            case READ -> Decision.Allowed.INSTANCE;
        };
    }

    /**
     * The fence around trusted-publishing tokens for a raw HTTP request (registered before every route): they may
     * read packages (and ask a package's pre-flight policy), publish (PUT /name) and stage (POST
     * /-/stage/package/name), nothing else.
     */
    public Decision decideRequest(Actor actor, String method, String path) {
        if (!actor.trustedPublishing() || path.startsWith("/-/npm/v1/oidc/")) {
            return Decision.Allowed.INSTANCE;
        }
        boolean packagePath = !path.startsWith("/-/");
        boolean ok = ("GET".equals(method) || "HEAD".equals(method))
                        && (packagePath
                                || path.endsWith("/visibility")
                                || path.startsWith("/-/airlock/v1/package/") && path.endsWith("/policy"))
                || "PUT".equals(method) && packagePath
                || "POST".equals(method) && path.startsWith("/-/stage/package/");
        return ok
                ? Decision.Allowed.INSTANCE
                : Decision.forbidden("A token from trusted publishing can only publish or stage its"
                        + " package; it cannot " + method + " " + path + ".");
    }

    // ------------------------------------------------------------------ the rules, one per concern

    private Decision approval(Actor actor, Action action, PackageName name, String version) {
        String verb = action == Action.APPROVE ? "approve" : "reject";
        if (!actor.interactive()) {
            return Decision.forbidden("Only a person can " + verb + " a staged release: log in with `npm login` and"
                    + " use your second factor. Automation tokens can stage, never " + verb + ".");
        }
        if (!packages.isHumanMaintainer(actor.user(), name)) {
            return Decision.forbidden("Only maintainers of " + name + " can " + verb + " its staged versions.");
        }
        EffectivePolicy policy = policies.effective(name);
        Decision org = orgTwoFactor(actor, policy, verb + " " + name);
        if (org.refused()) {
            return org;
        }
        return presence(
                actor, verb + " " + name + "@" + version, action == Action.APPROVE && policy.securityKeyApproval());
    }

    /** Owners, access and policies are never changed with a token that bypasses 2FA. */
    private Decision packageAdmin(Actor actor, Action action, PackageName name, String what) {
        if (actor.bypasses2fa()) {
            return Decision.forbidden("Tokens that bypass two-factor authentication cannot " + what
                    + "; use your login session (npm login) and your second factor.");
        }
        return orElse(writeAccess(actor, action, name), () -> forWrites(actor));
    }

    /** Trust relationships: maintainers, from a login session, with 2FA and a fresh code for changes. */
    private Decision trust(Actor actor, Action action, PackageName name) {
        if (!packages.canWrite(actor, name)) {
            return notFound(name);
        }
        if (!"session".equals(actor.credential())) {
            return Decision.forbidden("Trust relationships are managed from a login session (npm login) with 2FA;"
                    + " tokens and passwords cannot change them.");
        }
        return action == Action.CHANGE_TRUST
                ? presence(actor, "change trusted publishing", false)
                : Decision.Allowed.INSTANCE;
    }

    private static Decision interactiveOnly(Actor actor, String what) {
        return actor.interactive()
                ? Decision.Allowed.INSTANCE
                : Decision.forbidden("Tokens cannot " + what + "; use your login session (npm login).");
    }

    /**
     * Write access to the package: a maintainer, an org owner or admin, a read-write team — and a granular token must
     * select the package with read-write permission. A package the actor cannot see is a 404. A name not taken yet
     * may be published or staged (who may create which names is the packages feature's rule), unless the token
     * cannot reach it.
     */
    Decision writeAccess(Actor actor, Action action, PackageName name) {
        if (actor.isOperator() || packages.canWrite(actor, name)) {
            return Decision.Allowed.INSTANCE;
        }
        boolean create = action == Action.PUBLISH || action == Action.STAGE;
        return switch (packages.visibility(actor, name)) {
            case ABSENT ->
                !create
                        ? notFound(name)
                        : actor.reaches(name, true)
                                ? Decision.Allowed.INSTANCE
                                : Decision.forbidden(
                                        "This token cannot publish " + name + ": it is limited to other packages or is"
                                                + " read-only. Create a token that selects this package with read-write permission.");
            case HIDDEN -> notFound(name);
            // the package may have been created between the two reads (a concurrent first publish that
            // committed): asked again, a maintainer of the new package is allowed, and the write's own
            // transaction then refuses the version that exists
            case VISIBLE ->
                packages.canWrite(actor, name)
                        ? Decision.Allowed.INSTANCE
                        : !actor.reaches(name, true)
                                ? Decision.forbidden(
                                        "This token cannot change \"" + name + "\": it is limited to other"
                                                + " packages or is read-only. Create a token that selects it with read-write permission.")
                                : Decision.forbidden("You do not have permission to change \"" + name
                                        + "\": you are not one of its"
                                        + " maintainers. Ask a maintainer to run `npm owner add <you> " + name + "`.");
        };
    }

    private static Decision notFound(PackageName name) {
        return Decision.refused(ErrorCode.NOT_FOUND, "Package \"" + name + "\" not found.");
    }

    /** Members of an org that requires 2FA must have it enabled to publish, stage or approve its packages. */
    Decision orgTwoFactor(Actor actor, EffectivePolicy policy, String what) {
        if (policy.orgRequires2fa() && !actor.isOperator() && !twoFactor.canProvePresence(actor.user())) {
            return Decision.forbidden("Org \"" + policy.org() + "\" requires two-factor authentication for its members:"
                    + " you cannot " + what + " until you run `npm profile enable-2fa auth-and-writes`.");
        }
        return Decision.Allowed.INSTANCE;
    }

    /** A write: users in auth-and-writes mode (and users whose only factor is a security key) present a fresh code. */
    Decision forWrites(Actor actor) {
        return twoFactor.writesNeedFactor(actor) ? new Decision.NeedsOtp("make changes") : Decision.Allowed.INSTANCE;
    }

    /** Proof of presence: 2FA enabled and a fresh factor now; with {@code keyOnly} a security key and nothing else. */
    Decision presence(Actor actor, String what, boolean keyOnly) {
        if (twoFactor.presentsExternalFactor(actor)) {
            // a re-authentication at a trusted identity provider (docs/sso.md): verified, and for keyOnly required to
            // be phishing-resistant, by the same verify as any factor; no local factor needed
            return keyOnly ? new Decision.NeedsSecurityKey(what) : new Decision.NeedsOtp(what);
        }
        if (!twoFactor.canProvePresence(actor.user())) {
            return Decision.forbidden("You must enable two-factor authentication to " + what
                    + ". Run `npm profile enable-2fa auth-and-writes`, or add a security key at " + consoleUrl
                    + "/-/console/account.");
        }
        if (keyOnly && !twoFactor.keys().any(actor.user()) && !twoFactor.canConfirmElsewhere(actor.user())) {
            return Decision.forbidden("To " + what + " you need a security key (this package's policy does not accept"
                    + " codes from an authenticator app). Add one at " + consoleUrl + "/-/console/account.");
        }
        return keyOnly ? new Decision.NeedsSecurityKey(what) : new Decision.NeedsOtp(what);
    }

    EffectivePolicy policy(PackageName name) {
        return policies.effective(name);
    }

    boolean bypassMayPublish() {
        return bypassMayPublish;
    }

    static Decision orElse(Decision first, java.util.function.Supplier<Decision> next) {
        return first.refused() ? first : next.get();
    }

    /**
     * Inside the transaction of an approval or a policy change: refuses an account whose second factor has a pending
     * admin-assisted reset (asked again there, so a reset requested meanwhile holds the change too).
     */
    public void refuseIfResetPending(dev.airlock.platform.db.Tx tx, Actor actor) {
        twoFactor.resetHold().refuseIfPending(tx, actor);
    }

    /** For callers that need the refusal as an exception without a factor (e.g. showing a form). */
    public static void refuse(Decision d) {
        if (d instanceof Decision.Refused r) {
            throw r.exception();
        }
    }
}
