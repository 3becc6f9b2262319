package dev.airlock.packages;

import dev.airlock.audit.AuditService;
import dev.airlock.orgs.OrgService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** npm owner and npm access: maintainers, public / restricted, team grants, and the listings of who has what. */
public final class Ownership {
    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final PackageAccess access;
    private final AuditService audit;
    private final Clock clock;

    Ownership(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.access = rows.access;
        this.audit = rows.audit;
        this.clock = rows.clock;
    }

    public Map<String, String> maintainers(Actor actor, PackageName name) {
        return db.read(tx -> store.maintainers(tx, rows.visible(tx, actor, name).name()));
    }

    /** npm owner add/rm: the body carries the whole new maintainer list; each user must exist. */
    public void setMaintainers(Actor actor, PackageName name, String rev, List<String> users) {
        if (users.isEmpty()) {
            throw AirlockException.badRequest("A package must keep at least one maintainer.");
        }
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            rows.checkRev(tx, pkg, rev);
            Map<String, String> current = store.maintainers(tx, pkg.name());
            long now = clock.millis();
            List<String> added = new ArrayList<>();
            for (String user : users) {
                if (!current.containsKey(user)) {
                    if (!store.userExists(tx, user)) {
                        throw AirlockException.notFound("User \"" + user + "\" not found.");
                    }
                    store.addMaintainer(tx, pkg.name(), user, now);
                    added.add(user);
                }
            }
            List<String> removed = new ArrayList<>();
            for (String user : current.keySet()) {
                if (!users.contains(user)) {
                    store.removeMaintainer(tx, pkg.name(), user);
                    removed.add(user);
                }
            }
            rows.touch(tx, pkg, now);
            audit.record(
                    tx, actor, "package.owners", "package:" + pkg.name(), Map.of("added", added, "removed", removed));
            return null;
        });
    }

    public boolean isPublic(Actor actor, PackageName name) {
        return db.read(tx -> rows.visible(tx, actor, name).isPublic());
    }

    public void setAccess(Actor actor, PackageName name, String level) {
        if (!PackageRecord.PUBLIC.equals(level) && !PackageRecord.RESTRICTED.equals(level)) {
            throw AirlockException.badRequest("access must be \"public\" or \"restricted\".");
        }
        if (!name.scoped() && PackageRecord.RESTRICTED.equals(level)) {
            throw AirlockException.badRequest("Unscoped packages are always public.");
        }
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            if (!pkg.access().equals(level)) {
                rows.touchHead(tx, pkg.withAccess(level), clock.millis());
                audit.record(tx, actor, "package.access", "package:" + pkg.name(), Map.of("access", level));
            }
            return null;
        });
    }

    /** npm access list collaborators: user → read | write. */
    public Map<String, String> collaborators(Actor actor, PackageName name, OrgService orgs) {
        return db.read(tx -> {
            PackageRecord pkg = rows.visible(tx, actor, name);
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, String> grant :
                    store.teamGrants(tx, pkg.name()).entrySet()) {
                String[] ot = grant.getKey().split(":", 2);
                for (String user : orgs.teamMembers(dev.airlock.shared.Actor.operator(), ot[0], ot[1])) {
                    if (!"write".equals(out.get(user))) {
                        out.put(user, "read-write".equals(grant.getValue()) ? "write" : "read");
                    }
                }
            }
            for (String user : store.maintainers(tx, pkg.name()).keySet()) {
                out.put(user, "write");
            }
            return out;
        });
    }

    /** npm access list packages for a user (their own scope and what they maintain) or an org (its scope). */
    public Map<String, String> packagesOf(Actor actor, String owner, boolean org) {
        return db.read(tx -> {
            Map<String, String> out = new LinkedHashMap<>();
            List<String> names = org ? store.byScope(tx, owner) : store.byMaintainer(tx, owner);
            for (String n : names) {
                PackageRecord pkg = store.find(tx, n);
                if (access.canRead(tx, actor, pkg.name(), pkg.scope(), pkg.access())) {
                    out.put(
                            n,
                            access.canWrite(tx, actor, pkg) || (!org && owner.equals(actor.user())) ? "write" : "read");
                }
            }
            return out;
        });
    }

    public void grant(Actor actor, String org, String team, PackageName name, String permission, OrgService orgs) {
        if (!"read-only".equals(permission) && !"read-write".equals(permission)) {
            throw AirlockException.badRequest("permissions must be read-only or read-write.");
        }
        db.write(tx -> {
            orgs.requireTeamAdmin(tx, actor, org, team);
            PackageRecord pkg = rows.writable(tx, actor, name);
            if (!org.equals(pkg.scope())) {
                throw AirlockException.badRequest(
                        "Teams of org \"" + org + "\" can only be granted packages in the @" + org + " scope.");
            }
            store.grant(tx, org, team, pkg.name(), permission);
            rows.touchHead(tx, pkg, clock.millis());
            audit.record(
                    tx,
                    actor,
                    "access.grant",
                    "package:" + pkg.name(),
                    Map.of("team", org + ":" + team, "permission", permission));
            return null;
        });
    }

    public void revoke(Actor actor, String org, String team, PackageName name, OrgService orgs) {
        db.write(tx -> {
            orgs.requireTeamAdmin(tx, actor, org, team);
            PackageRecord pkg = rows.writable(tx, actor, name);
            store.revoke(tx, org, team, pkg.name());
            rows.touchHead(tx, pkg, clock.millis());
            audit.record(tx, actor, "access.revoke", "package:" + pkg.name(), Map.of("team", org + ":" + team));
            return null;
        });
    }

    public Map<String, String> teamPackages(Actor actor, String org, String team, OrgService orgs) {
        return db.read(tx -> {
            orgs.requireMember(tx, actor, org);
            if (!orgs.teamExists(tx, org, team)) {
                throw AirlockException.notFound("Team \"" + org + ":" + team + "\" not found.");
            }
            Map<String, String> out = new LinkedHashMap<>();
            store.teamPackages(tx, org, team)
                    .forEach((p, perm) -> out.put(p, "read-write".equals(perm) ? "write" : "read"));
            return out;
        });
    }
}
