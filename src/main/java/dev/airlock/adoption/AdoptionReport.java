package dev.airlock.adoption;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * How far an org (or the users and packages outside every org) has adopted the gate: who has which second factor,
 * which packages still allow direct publishing, tokens that bypass 2FA, trusted publishers, and releases of the last
 * 30 days that no maintainer approved. {@code org} is null for the section of users and packages outside every org.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AdoptionReport(
        String org,
        String generatedAt,
        Summary summary,
        List<Member> members,
        List<PackageRow> packages,
        List<BypassToken> bypassTokens,
        List<Release> unapprovedReleases) {

    /** Counts of everything the report lists. */
    public record Summary(
            int members,
            int membersWithout2fa,
            int membersTotpOnly,
            int membersWithSecurityKey,
            int packages,
            int packagesWithoutStaging,
            int bypassTokens,
            int trustedPublishers,
            int unapprovedReleases) {}

    /**
     * A member (or, outside every org, a user) and their second factor: {@code twoFactor} is "none", "totp-only" or
     * "security-key" (a key, with or without an authenticator app). {@code role} is null outside every org.
     */
    public record Member(String name, String role, String twoFactor, boolean totp, int securityKeys) {
        public static final String NONE = "none";
        public static final String TOTP_ONLY = "totp-only";
        public static final String SECURITY_KEY = "security-key";
    }

    /**
     * A package: whether staging is required and where that comes from ("package", "org" or "default"), npm's mfa
     * setting, and its trusted publisher (null when none).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PackageRow(
            @JsonProperty("name") String name,
            boolean stagingRequired,
            String stagingSetBy,
            String mfa,
            TrustedPublisher trustedPublisher) {}

    /** A trust relationship: the CI provider, the claims it pins (repository, workflow …) and what it allows. */
    public record TrustedPublisher(String type, Map<String, Object> claims, List<String> allows) {}

    /**
     * A token that bypasses two-factor authentication: its owner, name, the id npm token list shows, and its last use
     * (null times when never used / never expiring).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record BypassToken(
            String user,
            String name,
            String id,
            boolean readonly,
            String created,
            String expires,
            String lastUsed,
            String lastUsedFrom) {}

    /** A version published directly (npm publish, no staged approval) in the last 30 days, and how. */
    public record Release(
            @JsonProperty("package") String pkg,
            String version,
            String publishedAt,
            String publishedBy,
            String via,
            boolean bypass2fa) {}
}
