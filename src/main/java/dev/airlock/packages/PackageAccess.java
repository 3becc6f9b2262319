package dev.airlock.packages;

import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.Map;

/**
 * Who may read, write and create packages, as on npmjs.com: a scope belongs to the org (or user) of that name; org
 * members may create packages in it; maintainers, org owners/admins and read-write teams may write; restricted
 * packages are visible only to those with access (everyone else gets 404, never 403).
 */
final class PackageAccess {
    private final PackageStore store;
    private final OrgService orgs;
    private final boolean anonymousRead;

    PackageAccess(PackageStore store, OrgService orgs, boolean anonymousRead) {
        this.store = store;
        this.orgs = orgs;
        this.anonymousRead = anonymousRead;
    }

    static boolean operator(Actor actor) {
        return "cli".equals(actor.credential());
    }

    boolean anonymousAllowed(Actor actor) {
        return actor.authenticated() || anonymousRead;
    }

    /**
     * Read check for a row already fetched (scope and access from the served row). Public packages are readable by
     * anyone allowed to read at all; restricted ones need access, and a restricted token must also reach them.
     */
    boolean canRead(Tx tx, Actor actor, String name, String scope, String access) {
        if (!anonymousAllowed(actor)) {
            return false;
        }
        if (PackageRecord.PUBLIC.equals(access) || operator(actor)) {
            return true;
        }
        if (!actor.authenticated() || !actor.reaches(PackageName.parse(name), false)) {
            return false;
        }
        if (scope != null && (scope.equals(actor.user()) || orgs.role(tx, scope, actor.user()) != null)) {
            return true;
        }
        return store.maintainers(tx, name).containsKey(actor.user()) || teamPermission(tx, actor, name) != null;
    }

    boolean canWrite(Tx tx, Actor actor, PackageRecord pkg) {
        if (operator(actor)) {
            return true;
        }
        if (!actor.authenticated() || !actor.reaches(PackageName.parse(pkg.name()), true)) {
            return false;
        }
        if (store.maintainers(tx, pkg.name()).containsKey(actor.user())) {
            return true;
        }
        if (pkg.scope() != null) {
            OrgRole role = orgs.role(tx, pkg.scope(), actor.user());
            if (role == OrgRole.OWNER || role == OrgRole.ADMIN) {
                return true;
            }
        }
        return "read-write".equals(teamPermission(tx, actor, pkg.name()));
    }

    private String teamPermission(Tx tx, Actor actor, String name) {
        String best = null;
        for (Map.Entry<String, String> grant : store.teamGrants(tx, name).entrySet()) {
            String[] orgTeam = grant.getKey().split(":", 2);
            if (orgs.inTeam(tx, orgTeam[0], orgTeam[1], actor.user())) {
                if ("read-write".equals(grant.getValue())) {
                    return "read-write";
                }
                best = grant.getValue();
            }
        }
        return best;
    }

    /** Requires write access; a package the actor cannot even see is a 404. */
    void requireWrite(Tx tx, Actor actor, PackageRecord pkg) {
        if (pkg == null || !pkg.active() && !canWrite(tx, actor, pkg)) {
            throw notFound(pkg == null ? "package" : pkg.name());
        }
        if (!canWrite(tx, actor, pkg)) {
            if (!canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())) {
                throw notFound(pkg.name());
            }
            if (!actor.reaches(PackageName.parse(pkg.name()), true)) {
                throw AirlockException.forbidden(
                        "This token cannot change \"" + pkg.name() + "\": it is limited to other"
                                + " packages or is read-only. Create a token that selects it with read-write permission.");
            }
            throw AirlockException.forbidden("You do not have permission to change \"" + pkg.name()
                    + "\": you are not one of its maintainers. Ask a maintainer to run `npm owner add <you> "
                    + pkg.name() + "`.");
        }
    }

    /**
     * May {@code actor} put a version of this package in (publish or stage)? A new name follows the create rule, an
     * unpublished one only its maintainers, an active one the write rule. The publish path and the policy endpoint
     * (what a credential could do) both ask this.
     */
    void requirePublish(Tx tx, Actor actor, PackageName name, PackageRecord pkg) {
        if (pkg == null) {
            requireCreate(tx, actor, name);
        } else if (!pkg.active()) {
            // a whole-package unpublish (or a name reserved by staging) keeps its maintainers:
            // only they may bring the name into use
            if (!canWrite(tx, actor, pkg)) {
                throw AirlockException.forbidden("You do not have permission to publish \"" + name + "\".");
            }
        } else {
            requireWrite(tx, actor, pkg);
        }
    }

    /** May {@code actor} create a new package with this name? */
    void requireCreate(Tx tx, Actor actor, PackageName name) {
        if (operator(actor)) {
            return;
        }
        if (!actor.reaches(name, true)) {
            throw AirlockException.forbidden(
                    "This token cannot publish " + name + ": it is limited to other packages or is"
                            + " read-only. Create a token that selects this package with read-write permission.");
        }
        if (!name.scoped()) {
            return;
        }
        if (name.scope().equals(actor.user())) {
            return;
        }
        if (orgs.exists(tx, name.scope())) {
            if (orgs.role(tx, name.scope(), actor.user()) == null) {
                throw AirlockException.forbidden(
                        "You are not a member of org \"" + name.scope() + "\", so you cannot publish " + name
                                + ". Ask an org owner to run `npm org set " + name.scope() + " " + actor.user() + "`.");
            }
            return;
        }
        throw AirlockException.forbidden("The scope @" + name.scope() + " does not belong to you. Publish under @"
                + actor.user() + "/ or ask an administrator to create the org \"" + name.scope() + "\".");
    }

    static AirlockException notFound(String name) {
        return AirlockException.notFound("Package \"" + name + "\" not found.");
    }
}
