package dev.airlock.shared;

import java.util.Set;

/**
 * What a restricted token may touch: npm's granular access token fields (packages, scopes, orgs, a permission for
 * each group: read-only | read-write | no-access) and whether it bypasses 2FA. A token with no scope (null on the
 * Actor) acts with all of its owner's rights. Trusted-publishing tokens are scoped to one package with
 * {@code allowed} naming what the trust relationship permits ("publish", "stage") and {@code ciIdentity} (JSON)
 * describing the pipeline that exchanged it. Built by name with {@link #builder()}; the record is also the stored JSON
 * of a token's restrictions, so it has no other getters.
 */
public record TokenScope(
        Set<String> packages,
        boolean allPackages,
        Set<String> scopes,
        Set<String> orgs,
        String packagePermission,
        String orgPermission,
        boolean bypass2fa,
        Set<String> allowed,
        String ciIdentity) {
    public static final String READ_ONLY = "read-only";
    public static final String READ_WRITE = "read-write";
    public static final String NO_ACCESS = "no-access";

    public TokenScope {
        packages = packages == null ? Set.of() : Set.copyOf(packages);
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        orgs = orgs == null ? Set.of() : Set.copyOf(orgs);
        allowed = allowed == null ? Set.of() : Set.copyOf(allowed);
        packagePermission = permission(packagePermission, "packages_and_scopes_permission");
        orgPermission = permission(orgPermission, "orgs_permission");
    }

    private static String permission(String p, String field) {
        if (p == null) {
            return READ_ONLY;
        }
        if (!p.equals(READ_ONLY) && !p.equals(READ_WRITE) && !p.equals(NO_ACCESS)) {
            throw AirlockException.badRequest(field + " must be read-only, read-write or no-access.");
        }
        return p;
    }

    /** Whether the token reaches this package at all (packages, all packages, or a selected scope). */
    public boolean selects(PackageName name) {
        return allPackages
                || packages.contains(name.toString())
                || (name.scoped() && (scopes.contains("@" + name.scope()) || scopes.contains(name.scope())));
    }

    public boolean allowsPackage(PackageName name, boolean write) {
        if (!selects(name) || NO_ACCESS.equals(packagePermission)) {
            return false;
        }
        return !write || READ_WRITE.equals(packagePermission);
    }

    public boolean allowsOrg(String org, boolean write) {
        if (!(orgs.contains(org) || orgs.contains("@" + org)) || NO_ACCESS.equals(orgPermission)) {
            return false;
        }
        return !write || READ_WRITE.equals(orgPermission);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named construction of a {@link TokenScope}; nothing selected, permissions read-only, no bypass unless set. */
    public static final class Builder {
        private Set<String> packages;
        private boolean allPackages;
        private Set<String> scopes;
        private Set<String> orgs;
        private String packagePermission;
        private String orgPermission;
        private boolean bypass2fa;
        private Set<String> allowed;
        private String ciIdentity;

        private Builder() {}

        /** Packages selected by name. */
        public Builder packages(Set<String> v) {
            packages = v;
            return this;
        }

        /** Every package the owner can reach. */
        public Builder allPackages(boolean v) {
            allPackages = v;
            return this;
        }

        /** Scopes whose packages are selected ({@code @corp} or {@code corp}). */
        public Builder scopes(Set<String> v) {
            scopes = v;
            return this;
        }

        public Builder orgs(Set<String> v) {
            orgs = v;
            return this;
        }

        /** read-only | read-write | no-access for the selected packages and scopes; null is read-only. */
        public Builder packagePermission(String v) {
            packagePermission = v;
            return this;
        }

        /** read-only | read-write | no-access for the selected orgs; null is read-only. */
        public Builder orgPermission(String v) {
            orgPermission = v;
            return this;
        }

        public Builder bypass2fa(boolean v) {
            bypass2fa = v;
            return this;
        }

        /** What a trusted-publishing token may do ("publish", "stage"). */
        public Builder allowed(Set<String> v) {
            allowed = v;
            return this;
        }

        /** The CI identity (JSON) of the pipeline that exchanged a trusted-publishing token. */
        public Builder ciIdentity(String v) {
            ciIdentity = v;
            return this;
        }

        public TokenScope build() {
            return new TokenScope(
                    packages,
                    allPackages,
                    scopes,
                    orgs,
                    packagePermission,
                    orgPermission,
                    bypass2fa,
                    allowed,
                    ciIdentity);
        }
    }
}
