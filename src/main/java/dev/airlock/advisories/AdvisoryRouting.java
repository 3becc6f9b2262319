package dev.airlock.advisories;

import dev.airlock.shared.PackageName;

/**
 * Which upstream registry, if any, is asked about the advisories of a name that has no local package. This is the seam
 * where routing by scope and name pattern plugs in: the composition root decides (today: {@code proxy.upstream} for
 * every name the dependency-confusion guard lets through). Names sent upstream are disclosed to it, so a name the
 * proxy would never fetch ({@code proxy.internal}, a local org's scope) must answer null here.
 */
@FunctionalInterface
public interface AdvisoryRouting {
    /** The upstream to ask, or null: the local store alone answers for this name. */
    AdvisorySource upstreamFor(PackageName name);

    /** No upstream: everything is answered from the local store. */
    static AdvisoryRouting none() {
        return name -> null;
    }
}
