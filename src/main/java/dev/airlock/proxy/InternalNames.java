package dev.airlock.proxy;

import dev.airlock.platform.db.Tx;
import dev.airlock.shared.PackageName;
import java.util.List;
import java.util.Locale;

/**
 * The dependency-confusion guard's list: names never fetched from the upstream. A {@code proxy.internal} pattern is a
 * name ({@code billing}), a prefix ending in {@code *} ({@code acme-*}, {@code @acme/*}); and every scope that is a
 * local org or a local user's name is internal whether or not it is listed. Names compare ignoring case, as a registry's names collide.
 */
final class InternalNames {
    private final List<String> patterns;
    private final ScopeOwners scopes;

    /** Whose a scope is here: "org", "user", or null when neither; one statement in the caller's read. */
    @FunctionalInterface
    interface ScopeOwners {
        String owner(Tx tx, String scope);
    }

    InternalNames(List<String> patterns, ScopeOwners scopes) {
        this.patterns = patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        this.scopes = scopes;
    }

    /**
     * Why the name is internal (for the 404's sentence and the log), or null when it may be fetched; the scope's owner
     * is looked up in the caller's read. (Warm packument and tarball reads read it in their own statement and call
     * {@link #why(PackageName, String)}.)
     */
    String why(Tx tx, PackageName name) {
        return why(name, name.scoped() ? scopes.owner(tx, name.scope()) : null);
    }

    /** {@link #why(Tx, PackageName)} when whose the scope is ("org", "user", or null) was read already. */
    String why(PackageName name, String scopeOwner) {
        if (dev.airlock.names.NameService.reserved(name)) {
            return "it is the client doctor this registry serves itself";
        }
        String p = matching(patterns, name);
        if (p != null) {
            return "it matches proxy.internal \"" + p + "\"";
        }
        if (!name.scoped() || scopeOwner == null) {
            return null;
        }
        return "its scope @" + name.scope() + " is " + ("org".equals(scopeOwner) ? "an org" : "a user")
                + " of this registry";
    }

    /** The first of these lower-cased patterns ({@code name}, {@code prefix-*}, {@code @scope/*}) the name matches. */
    static String matching(List<String> lowerCasePatterns, PackageName name) {
        String n = name.toString().toLowerCase(Locale.ROOT);
        for (String p : lowerCasePatterns) {
            if (p.endsWith("*") ? n.startsWith(p.substring(0, p.length() - 1)) : n.equals(p)) {
                return p;
            }
        }
        return null;
    }
}
