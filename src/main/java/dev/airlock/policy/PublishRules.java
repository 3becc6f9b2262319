package dev.airlock.policy;

import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;

/**
 * The gate's rules for getting a version in: direct publish (staging required, org 2FA, npm's mfa setting,
 * trusted publishing, bypass tokens and tokens.bypassMayPublish) and staging (never asks for a code).
 */
final class PublishRules {
    private PublishRules() {}

    /** publish = a human with 2FA and a fresh code; automation = that, or a token that bypasses 2FA. */
    static Decision directPublish(Gate gate, Actor actor, PackageName name) {
        Decision reach = gate.writeAccess(actor, Action.PUBLISH, name);
        if (reach.refused()) {
            return reach;
        }
        EffectivePolicy policy = gate.policy(name);
        if (policy.stagingRequired()) {
            return Decision.forbidden("Direct publishing of " + name + " is not allowed: this package requires staged"
                    + " publishing. Run `npm stage publish`, then a maintainer approves it with 2FA"
                    + " (`npm stage approve <id> --otp=<code>`).");
        }
        Decision org = gate.orgTwoFactor(actor, policy, "publish " + name);
        if (org.refused() || actor.isOperator()) {
            return org;
        }
        if (actor.trustedPublishing()) {
            // what the trust relationship allows, checked on the publish request itself
            if (actor.scope() == null || !actor.scope().allowed().contains("publish")) {
                return Decision.forbidden("The trust relationship of " + name + " allows staging only: run"
                        + " `npm stage publish`; a maintainer then approves the release with 2FA.");
            }
            if (Policy.MFA_PUBLISH.equals(policy.mfa())) {
                return Decision.forbidden("Publishing " + name + " requires two-factor authentication (mfa=publish);"
                        + " trusted publishing can only stage it.");
            }
            return Decision.Allowed.INSTANCE;
        }
        if (actor.bypasses2fa()) {
            // secure by default: a bypass token stages; it publishes directly only where both the package policy
            // allows tokens and the operator opted in (tokens.bypassMayPublish)
            if (Policy.MFA_PUBLISH.equals(policy.mfa())) {
                return Decision.forbidden("Publishing " + name + " requires two-factor authentication (mfa=publish);"
                        + " tokens cannot publish it. Use `npm stage publish` and have a maintainer approve it.");
            }
            if (!gate.bypassMayPublish()) {
                return Decision.forbidden(
                        "Tokens that bypass two-factor authentication can only stage on this registry:"
                                + " run `npm stage publish`, then a maintainer approves it with 2FA (`npm stage approve <id> --otp=<code>`).");
            }
            return Decision.Allowed.INSTANCE;
        }
        if (!Policy.MFA_NONE.equals(policy.mfa())) {
            if (!actor.interactive()) {
                return Decision.forbidden(
                        "Publishing " + name + " requires two-factor authentication (mfa=" + policy.mfa()
                                + "); automation tokens cannot publish it. Log in with `npm login` and publish with --otp=<code>.");
            }
            return gate.presence(actor, "publish " + name, false);
        }
        return gate.forWrites(actor);
    }

    /** Staging never asks for a code; a trust relationship must allow it, and an org's 2FA rule applies. */
    static Decision stage(Gate gate, Actor actor, PackageName name) {
        if (actor.trustedPublishing()
                && (actor.scope() == null || !actor.scope().allowed().contains("stage"))) {
            return Decision.forbidden("The trust relationship of " + name + " does not allow staged publishing"
                    + " (--allow-stage-publish).");
        }
        Decision org = gate.orgTwoFactor(actor, gate.policy(name), "stage " + name);
        return org.refused() ? org : gate.writeAccess(actor, Action.STAGE, name);
    }
}
