package dev.airlock.proxy;

import dev.airlock.shared.PackageName;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The dependency-confusion guard's list: names never fetched from the upstream. A {@code proxy.internal} pattern is a
 * name ({@code billing}), a prefix ending in {@code *} ({@code acme-*}, {@code @acme/*}); and every scope that is a
 * local org or a local user's name is internal whether or not it is listed. Names compare ignoring case, as a registry's names collide.
 */
final class InternalNames {
    private final List<String> patterns;
    private final Predicate<String> orgExists;
    private final Predicate<String> userExists;

    InternalNames(List<String> patterns, Predicate<String> orgExists, Predicate<String> userExists) {
        this.patterns = patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        this.orgExists = orgExists;
        this.userExists = userExists;
    }

    /** Why the name is internal (for the 404's sentence and the log), or null when it may be fetched. */
    String why(PackageName name) {
        String p = matching(patterns, name);
        if (p != null) {
            return "it matches proxy.internal \"" + p + "\"";
        }
        if (name.scoped() && orgExists.test(name.scope())) {
            return "its scope @" + name.scope() + " is an org of this registry";
        }
        if (name.scoped() && userExists.test(name.scope())) {
            return "its scope @" + name.scope() + " is a user of this registry";
        }
        return null;
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
