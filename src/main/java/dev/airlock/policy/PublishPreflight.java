package dev.airlock.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.airlock.packages.PackageService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;

/**
 * "Does this package require staging?" — what a pipeline asks before it publishes
 * ({@code GET /-/airlock/v1/package/NAME/policy}, docs/preflight.md). Answers the effective policy and what the
 * presented credential could do, from the very decisions a publish and a stage make: the packages feature's
 * create/write rule ({@link PackageService#publishRefusal}) and the {@link Gate}'s {@link Action#PUBLISH} and
 * {@link Action#STAGE} decisions. Nothing is consumed or recorded.
 *
 * <p>What it reveals: a package the caller can see (or maintains) is answered with {@code exists: true}. A name
 * nobody holds is answered ({@code exists: false}, with the policy a new package of that name would get) only to a
 * caller the names rule lets create it (a logged-in user in their own or their org's scope, or any user for an
 * unscoped name, with a token that reaches it); everyone else gets the same 404 as for a package they cannot see. A caller who could
 * create a name learns from a 404 that it is held by someone else — exactly what {@code npm publish} would tell them.
 */
public final class PublishPreflight {
    private final PolicyService policies;
    private final PackageService packages;

    public PublishPreflight(PolicyService policies, PackageService packages) {
        this.policies = policies;
        this.packages = packages;
    }

    /** The answer; {@code exists} false for a name not taken yet. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Answer(
            @JsonProperty("package") String name,
            boolean exists,
            String org,
            PolicyView.Effective policy,
            Caller caller) {}

    /**
     * What the credential could do: {@code publish} is "direct" (npm publish), "stage" (npm stage publish only) or
     * "none"; {@code secondFactor} is what a direct publish would also need ("otp", "securityKey", or null);
     * {@code stage} says whether npm stage publish would be accepted; {@code reason} is the sentence a refusal would
     * carry (or what the direct publish needs).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Caller(
            String user, String credential, String publish, String secondFactor, boolean stage, String reason) {}

    public Answer answer(Actor actor, PackageName name) {
        Caller caller = caller(actor, name);
        boolean exists;
        switch (packages.visibility(actor, name)) {
            case VISIBLE -> exists = true;
            case HIDDEN -> {
                // an unpublished package (or one only staged so far) is answered to those who may write it
                if (!packages.canWrite(actor, name)) {
                    throw notFound(name);
                }
                exists = true;
            }
            default -> {
                // answered only to a caller the names rule lets create it (the gate may still refuse, e.g. an org
                // that requires 2FA): the answer then says why
                if (!actor.authenticated() || packages.publishRefusal(actor, name) != null) {
                    throw notFound(name);
                }
                exists = false;
            }
        }
        EffectivePolicy e = policies.effective(name);
        return new Answer(name.toString(), exists, e.org(), PolicyView.Effective.of(e), caller);
    }

    /**
     * The decision itself: the create/write rule, then the gate's direct-publish decision, then its staging one —
     * in the order a publish meets them.
     */
    public Caller caller(Actor actor, PackageName name) {
        String user = actor.user();
        String credential = actor.authenticated() ? actor.credential() : "none";
        if (!actor.authenticated()) {
            return new Caller(
                    null,
                    credential,
                    "none",
                    null,
                    false,
                    "You are not logged in: send a token (npm login, a granular token, or trusted publishing).");
        }
        AirlockException refusal = packages.publishRefusal(actor, name);
        if (refusal != null) {
            return new Caller(user, credential, "none", null, false, refusal.getMessage());
        }
        Gate gate = policies.gate();
        Decision direct = gate.decide(actor, Action.PUBLISH, name);
        Decision stage = gate.decide(actor, Action.STAGE, name);
        if (!direct.refused()) {
            String factor = direct instanceof Decision.NeedsSecurityKey
                    ? "securityKey"
                    : direct instanceof Decision.NeedsOtp ? "otp" : null;
            String reason = factor == null
                    ? "This credential can publish " + name + " directly (npm publish)."
                    : "This credential can publish " + name + " directly with a fresh one-time password"
                            + " (npm publish --otp=<code>); without one, use npm stage publish.";
            return new Caller(user, credential, "direct", factor, !stage.refused(), reason);
        }
        String why = ((Decision.Refused) direct).message();
        if (!stage.refused()) {
            return new Caller(user, credential, "stage", null, true, why);
        }
        return new Caller(user, credential, "none", null, false, ((Decision.Refused) stage).message());
    }

    /**
     * The answer as one line for npm's {@code npm-notice} header (npm access get status prints it), or null when the
     * caller may not see the package.
     */
    public String notice(Actor actor, PackageName name) {
        Answer a;
        try {
            a = answer(actor, name);
        } catch (AirlockException e) {
            return null;
        }
        PolicyView.Effective p = a.policy();
        String line = "Airlock policy of " + name + ": staging " + (p.stagingRequired() ? "required" : "not required")
                + ", mfa=" + p.mfa() + ", " + p.approvals() + " approval(s)"
                + (p.securityKeyApproval() ? " with a security key" : "")
                + (p.requireProvenance() == null ? "" : ", provenance from " + p.requireProvenance())
                + (p.orgRequires2fa() ? ", org members need 2FA" : "")
                + ". This credential: " + a.caller().publish()
                + switch (a.caller().publish()) {
                    case "direct" -> a.caller().secondFactor() == null ? " (npm publish)" : " (npm publish --otp)";
                    case "stage" -> " (npm stage publish)";
                    default -> " (cannot publish)";
                };
        // a header carries one line of visible ASCII
        return line.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static AirlockException notFound(PackageName name) {
        return AirlockException.notFound("Package \"" + name + "\" not found.");
    }
}
