package dev.airlock.policy;

/**
 * What applies to one package once its own and its org's policies are combined with the defaults.
 * {@code securityKeyApproval}: approving a staged version needs a security-key (WebAuthn) assertion.
 */
public record EffectivePolicy(
        String mfa,
        boolean stagingRequired,
        int approvals,
        boolean orgRequires2fa,
        String org,
        boolean securityKeyApproval) {}
