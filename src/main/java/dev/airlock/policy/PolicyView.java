package dev.airlock.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The policy API's answers (also printed by {@code ./airlock policy show|set} and read by the console's policy page).
 * A {@link Policy} serialises as its five fields, null where it does not set one.
 */
public final class PolicyView {
    private PolicyView() {}

    /** A package's own policy, its org (null when no org owns its scope), what it inherits, and the result. */
    public record OfPackage(
            @JsonProperty("package") String name, Policy own, String org, Policy inherited, Effective effective) {}

    /** What applies to the package once its own and its org's policies are combined with the defaults. */
    public record Effective(
            String mfa,
            boolean stagingRequired,
            int approvals,
            boolean orgRequires2fa,
            boolean securityKeyApproval,
            String requireProvenance) {
        static Effective of(EffectivePolicy e) {
            return new Effective(
                    e.mfa(),
                    e.stagingRequired(),
                    e.approvals(),
                    e.orgRequires2fa(),
                    e.securityKeyApproval(),
                    e.requireProvenance());
        }
    }

    /** An org's own policy. */
    public record OfOrg(String org, Policy own) {}
}
