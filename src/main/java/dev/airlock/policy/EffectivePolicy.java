package dev.airlock.policy;

/**
 * What applies to one package once its own and its org's policies are combined with the defaults.
 * {@code securityKeyApproval}: approving a staged version needs a security-key (WebAuthn) assertion.
 * {@code requireProvenance}: every release needs a verified provenance bundle built in this repository (null: none).
 */
public record EffectivePolicy(
        String mfa,
        boolean stagingRequired,
        int approvals,
        boolean orgRequires2fa,
        String org,
        boolean securityKeyApproval,
        String requireProvenance) {
    public EffectivePolicy(
            String mfa,
            boolean stagingRequired,
            int approvals,
            boolean orgRequires2fa,
            String org,
            boolean securityKeyApproval) {
        this(mfa, stagingRequired, approvals, orgRequires2fa, org, securityKeyApproval, null);
    }
}
