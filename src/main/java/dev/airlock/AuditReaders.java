package dev.airlock;

import dev.airlock.accounts.User;
import dev.airlock.accounts.UserService;
import dev.airlock.audit.AuditAudience;
import dev.airlock.orgs.OrgRole;
import dev.airlock.orgs.OrgService;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.Packages;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.PackageName;
import java.util.List;

/**
 * The facts the audit log's readers are judged by, from the features that own them: the account's admin flag,
 * {@code npm owner ls} and {@code npm access list packages}, org roles, and whether a package is visible at all.
 */
final class AuditReaders implements AuditAudience {
    private final Database db;
    private final UserService users;
    private final OrgService orgs;
    private final Packages packages;

    AuditReaders(Database db, UserService users, OrgService orgs, Packages packages) {
        this.db = db;
        this.users = users;
        this.orgs = orgs;
        this.packages = packages;
    }

    @Override
    public boolean admin(Actor actor) {
        if (actor.isOperator()) {
            return true;
        }
        User user = actor.authenticated() ? users.find(actor.user()) : null;
        return user != null && user.admin();
    }

    @Override
    public List<String> maintained(Actor actor) {
        return List.copyOf(
                packages.ownership().packagesOf(actor, actor.user(), false).keySet());
    }

    @Override
    public List<String> ownedOrgs(Actor actor) {
        return db.read(tx -> orgs.orgsOf(tx, actor.user()).stream()
                .filter(org -> orgs.role(tx, org, actor.user()) == OrgRole.OWNER)
                .toList());
    }

    @Override
    public List<String> orgPackages(Actor actor, String org) {
        return List.copyOf(packages.ownership().packagesOf(actor, org, true).keySet());
    }

    @Override
    public boolean visible(Actor actor, String pkg) {
        return packages.reads().visibility(actor, PackageName.parse(pkg)) == PackageService.Visibility.VISIBLE;
    }
}
