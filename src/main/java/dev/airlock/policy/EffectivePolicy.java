package dev.airlock.policy;

/** What applies to one package once its own and its org's policies are combined with the defaults. */
public record EffectivePolicy(String mfa, boolean stagingRequired, int approvals, boolean orgRequires2fa, String org) {
}
