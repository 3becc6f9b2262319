package dev.airlock.orgs;

import java.util.Set;

/**
 * Applies an identity provider's groups to one user's org roles and team memberships, from the group mapping in the
 * configuration ({@code auth.groups}): called at every single sign-on and directory sign-in, and by SCIM group
 * pushes. Every change is audited like the same change made with {@code npm org} or {@code npm team}.
 *
 * <p>This first form maps nothing; the group mapping fills it in.
 */
public final class GroupSync {
    private GroupSync() {}

    /** A sync that maps no group (no {@code auth.groups} configured). */
    public static GroupSync none() {
        return new GroupSync();
    }

    /**
     * Makes {@code user}'s mapped memberships match {@code groups}, the complete set of groups {@code source} (a
     * provider name such as {@code oidc:okta} or {@code ldap}) says the user is in now: adds and changes what the
     * mapping grants, removes what it granted before and no longer does; memberships made by hand are left alone.
     */
    public void apply(String user, String source, Set<String> groups) {
        // nothing mapped yet
    }
}
