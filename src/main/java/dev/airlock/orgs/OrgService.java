package dev.airlock.orgs;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Organisations (which own scopes), their members with roles, and teams. Which role may change what is decided here;
 * whether the change needs a fresh second factor is the policy gate's ({@code Action.CHANGE_ORG}), asked by the
 * adapter before these use cases run.
 */
public final class OrgService {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._~-]{0,213}");
    private final Database db;
    private final OrgStore store;
    private final AuditService audit;
    private final Clock clock;

    OrgService(Database db, OrgStore store, AuditService audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public static OrgService create(Database db, AuditService audit, Clock clock) {
        return new OrgService(db, new JdbiOrgStore(), audit, clock);
    }

    public static String validName(String name, String what) {
        String n = name != null && name.startsWith("@") ? name.substring(1) : name;
        if (n == null || !NAME.matcher(n).matches()) {
            throw AirlockException.badRequest("Invalid " + what + " name \"" + name + "\".");
        }
        return n;
    }

    /** Creates an org with its first owner (operators, through the command line). */
    public void createOrg(Actor actor, String org, String owner) {
        String name = validName(org, "org");
        db.write(tx -> {
            if (store.exists(tx, name)) {
                throw AirlockException.conflict("Org \"" + name + "\" already exists.");
            }
            if (store.userExists(tx, name)) {
                throw AirlockException.conflict(
                        "\"" + name + "\" is a user name; users and orgs share one namespace of scopes.");
            }
            requireUser(tx, owner);
            store.create(tx, name, clock.millis());
            store.setMember(tx, name, owner, OrgRole.OWNER);
            store.createTeam(tx, name, "developers", "Every member of the org", clock.millis());
            store.addTeamMember(tx, name, "developers", owner);
            audit.record(tx, actor, "org.create", "org:" + name, Map.of("owner", owner));
            return null;
        });
    }

    private void requireUser(Tx tx, String user) {
        if (user == null || !store.userExists(tx, user)) {
            throw AirlockException.notFound("User \"" + user + "\" not found.");
        }
        if (store.userDeactivated(tx, user)) {
            throw AirlockException.conflict("The account \"" + user + "\" is deactivated: it cannot own or join an org."
                    + " Reactivate it first (./airlock user reactivate " + user + ").");
        }
    }

    private void requireOrgVisible(Tx tx, Actor actor, String org) {
        if (!store.exists(tx, org)
                || (!isOperator(actor) && store.role(tx, org, actor.user()) == null)
                || (actor.scope() != null && !actor.scope().allowsOrg(org, false))) {
            throw AirlockException.notFound("Org \"" + org + "\" not found.");
        }
    }

    private static boolean isOperator(Actor actor) {
        return "cli".equals(actor.credential());
    }

    private OrgRole requireRole(Tx tx, Actor actor, String org, OrgRole atLeast) {
        requireOrgVisible(tx, actor, org);
        if (isOperator(actor)) {
            return OrgRole.OWNER;
        }
        if (actor.scope() != null && !actor.scope().allowsOrg(org, true)) {
            throw AirlockException.forbidden("This token cannot manage org \"" + org + "\": it needs --orgs " + org
                    + " with --orgs-permission=read-write.");
        }
        OrgRole role = store.role(tx, org, actor.user());
        if (role.compareTo(atLeast) > 0) {
            throw AirlockException.forbidden("You must be an " + atLeast.wire() + " of org \"" + org
                    + "\" to do this (you are a " + role.wire() + ").");
        }
        return role;
    }

    /** npm org set: adds a member or changes a role; returns the new member count. */
    public int setMember(Actor actor, String orgName, String user, OrgRole role) {
        String org = validName(orgName, "org");
        return db.write(tx -> {
            OrgRole mine = requireRole(tx, actor, org, OrgRole.ADMIN);
            requireUser(tx, user);
            OrgRole current = store.role(tx, org, user);
            if (mine != OrgRole.OWNER && (role == OrgRole.OWNER || current == OrgRole.OWNER)) {
                throw AirlockException.forbidden("Only an owner of org \"" + org + "\" can add or change owners.");
            }
            if (current == OrgRole.OWNER && role != OrgRole.OWNER && owners(tx, org) == 1) {
                throw AirlockException.conflict(
                        "\"" + user + "\" is the last owner of org \"" + org + "\"; add another owner first.");
            }
            store.setMember(tx, org, user, role);
            if (store.teamExists(tx, org, "developers")) {
                store.addTeamMember(tx, org, "developers", user);
            }
            audit.record(tx, actor, "org.member.set", "org:" + org, Map.of("user", user, "role", role.wire()));
            return store.members(tx, org).size();
        });
    }

    private int owners(Tx tx, String org) {
        return (int) store.members(tx, org).values().stream()
                .filter(r -> r == OrgRole.OWNER)
                .count();
    }

    public void removeMember(Actor actor, String orgName, String user) {
        String org = validName(orgName, "org");
        db.write(tx -> {
            OrgRole mine = requireRole(tx, actor, org, OrgRole.ADMIN);
            OrgRole current = store.role(tx, org, user);
            if (current == null) {
                throw AirlockException.notFound("\"" + user + "\" is not a member of org \"" + org + "\".");
            }
            if (current == OrgRole.OWNER && mine != OrgRole.OWNER) {
                throw AirlockException.forbidden("Only an owner of org \"" + org + "\" can remove an owner.");
            }
            if (current == OrgRole.OWNER && owners(tx, org) == 1) {
                throw AirlockException.conflict(
                        "\"" + user + "\" is the last owner of org \"" + org + "\" and cannot be removed.");
            }
            store.removeMember(tx, org, user);
            audit.record(tx, actor, "org.member.remove", "org:" + org, Map.of("user", user));
            return null;
        });
    }

    /**
     * Removes {@code user} from every team and org in the caller's transaction (deactivation), each audited as the
     * same change made with {@code npm team rm} and {@code npm org rm}. A last owner is removed too (someone who left
     * must lose access): the orgs left without an owner are returned, and their removal events say {@code
     * lastOwner}, so the operator can name a new owner with {@code ./airlock org add ORG USER --role owner}.
     */
    public List<String> removeFromAll(Tx tx, Actor actor, String user) {
        List<String> ownerless = new java.util.ArrayList<>();
        for (String org : store.orgsOf(tx, user)) {
            for (String team : store.teams(tx, org)) {
                if (store.teamMembers(tx, org, team).contains(user)) {
                    store.removeTeamMember(tx, org, team, user);
                    audit.record(tx, actor, "team.member.remove", "team:" + org + ":" + team, Map.of("user", user));
                }
            }
            boolean lastOwner = store.role(tx, org, user) == OrgRole.OWNER && owners(tx, org) == 1;
            store.removeMember(tx, org, user);
            audit.record(
                    tx,
                    actor,
                    "org.member.remove",
                    "org:" + org,
                    lastOwner ? Map.of("user", user, "lastOwner", true) : Map.of("user", user));
            if (lastOwner) {
                ownerless.add(org);
            }
        }
        return ownerless;
    }

    public Map<String, OrgRole> members(Actor actor, String orgName) {
        String org = validName(orgName, "org");
        return db.read(tx -> {
            requireOrgVisible(tx, actor, org);
            return store.members(tx, org);
        });
    }

    public void createTeam(Actor actor, String orgName, String teamName, String description) {
        String org = validName(orgName, "org");
        String team = validName(teamName, "team");
        db.write(tx -> {
            requireRole(tx, actor, org, OrgRole.ADMIN);
            if (store.teamExists(tx, org, team)) {
                throw AirlockException.conflict("Team \"" + org + ":" + team + "\" already exists.");
            }
            store.createTeam(tx, org, team, description, clock.millis());
            audit.record(tx, actor, "team.create", "team:" + org + ":" + team, Map.of());
            return null;
        });
    }

    public void destroyTeam(Actor actor, String orgName, String teamName) {
        String org = validName(orgName, "org");
        String team = validName(teamName, "team");
        db.write(tx -> {
            requireRole(tx, actor, org, OrgRole.ADMIN);
            requireTeam(tx, org, team);
            store.destroyTeam(tx, org, team);
            audit.record(tx, actor, "team.destroy", "team:" + org + ":" + team, Map.of());
            return null;
        });
    }

    private void requireTeam(Tx tx, String org, String team) {
        if (!store.teamExists(tx, org, team)) {
            throw AirlockException.notFound("Team \"" + org + ":" + team + "\" not found.");
        }
    }

    public void addToTeam(Actor actor, String orgName, String teamName, String user) {
        String org = validName(orgName, "org");
        String team = validName(teamName, "team");
        db.write(tx -> {
            requireRole(tx, actor, org, OrgRole.ADMIN);
            requireTeam(tx, org, team);
            if (store.role(tx, org, user) == null) {
                throw AirlockException.badRequest("\"" + user + "\" is not a member of org \"" + org
                        + "\"; add them with `npm org set " + org + " " + user + "` first.");
            }
            store.addTeamMember(tx, org, team, user);
            audit.record(tx, actor, "team.member.add", "team:" + org + ":" + team, Map.of("user", user));
            return null;
        });
    }

    public void removeFromTeam(Actor actor, String orgName, String teamName, String user) {
        String org = validName(orgName, "org");
        String team = validName(teamName, "team");
        db.write(tx -> {
            requireRole(tx, actor, org, OrgRole.ADMIN);
            requireTeam(tx, org, team);
            if (!store.teamMembers(tx, org, team).contains(user)) {
                throw AirlockException.notFound("\"" + user + "\" is not in team \"" + org + ":" + team + "\".");
            }
            store.removeTeamMember(tx, org, team, user);
            audit.record(tx, actor, "team.member.remove", "team:" + org + ":" + team, Map.of("user", user));
            return null;
        });
    }

    public List<String> teams(Actor actor, String orgName) {
        String org = validName(orgName, "org");
        return db.read(tx -> {
            requireOrgVisible(tx, actor, org);
            return store.teams(tx, org);
        });
    }

    public List<String> teamMembers(Actor actor, String orgName, String teamName) {
        String org = validName(orgName, "org");
        String team = validName(teamName, "team");
        return db.read(tx -> {
            requireOrgVisible(tx, actor, org);
            requireTeam(tx, org, team);
            return store.teamMembers(tx, org, team);
        });
    }

    // ---- queries for other features (no authorisation: callers decide) ----

    public boolean exists(Tx tx, String org) {
        return store.exists(tx, org);
    }

    /**
     * Whose a scope is: "org" when an org has that name, "user" when a user has it, null when neither (the proxy's
     * guard never fetches such scopes upstream). One statement in the caller's read.
     */
    public String scopeOwner(Tx tx, String scope) {
        return store.scopeOwner(tx, scope);
    }

    public OrgRole role(Tx tx, String org, String user) {
        return user == null ? null : store.role(tx, org, user);
    }

    /** The orgs the user is a member of, in any role. */
    public List<String> orgsOf(Tx tx, String user) {
        return user == null ? List.of() : store.orgsOf(tx, user);
    }

    public boolean teamExists(Tx tx, String org, String team) {
        return store.teamExists(tx, org, team);
    }

    public boolean inTeam(Tx tx, String org, String team, String user) {
        return store.teamMembers(tx, org, team).contains(user);
    }

    public boolean requireTeamAdmin(Tx tx, Actor actor, String org, String team) {
        requireRole(tx, actor, org, OrgRole.ADMIN);
        requireTeam(tx, org, team);
        return true;
    }

    public void requireMember(Tx tx, Actor actor, String org) {
        requireOrgVisible(tx, actor, org);
    }
}
