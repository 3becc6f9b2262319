package dev.airlock.audit;

import dev.airlock.shared.Actor;
import java.util.List;

/**
 * The facts {@link AuditQueryService} decides on, answered by the features that own them (accounts, orgs, packages;
 * wired by the assembly, since those features write to this log and so sit above it). The rules combining them are
 * {@link AuditQueryService}'s.
 */
public interface AuditAudience {
    /** An administrator of the registry (or the operator's command line). */
    boolean admin(Actor actor);

    /** Names of the packages {@code actor} is a maintainer of ({@code npm owner ls}), as far as the actor can see. */
    List<String> maintained(Actor actor);

    /** Orgs {@code actor}'s user is an owner of. */
    List<String> ownedOrgs(Actor actor);

    /** Names of the packages in an org's scope. */
    List<String> orgPackages(Actor actor, String org);

    /** Whether {@code actor} may see the package at all (restricted packages are invisible to outsiders). */
    boolean visible(Actor actor, String pkg);
}
