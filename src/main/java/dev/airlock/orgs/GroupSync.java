package dev.airlock.orgs;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an identity provider's groups to one user's org roles and team memberships, from the group mapping in the
 * configuration ({@code auth.groups}): called at every single sign-on and directory sign-in, and by SCIM group
 * pushes. Every change is audited like the same change made with {@code npm org} or {@code npm team}
 * (docs/deprovisioning.md, "Groups become orgs and teams").
 *
 * <p>The mapping is applied to the union of the groups every source last reported (so one source's sync never
 * undoes another's). Only memberships the mapping made are changed or removed ({@code mapped_memberships}); a
 * membership made by hand is left exactly as it is, role included. Where several groups grant roles in one org the
 * highest wins. An org or team the mapping names that does not exist is not created (an org claims a scope: that is
 * the operator's decision): the entry is skipped with a warning in the log, and applies once the org exists.
 */
public final class GroupSync {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSync.class);
    private static final int MAX_GROUPS = 10_000;
    private final Database db;
    private final OrgStore orgs;
    private final GroupSyncStore store;
    private final AuditService audit;
    private final List<Rule> rules;

    record Rule(String group, String org, OrgRole role, String team) {}

    private GroupSync(Database db, OrgStore orgs, GroupSyncStore store, AuditService audit, List<Rule> rules) {
        this.db = db;
        this.orgs = orgs;
        this.store = store;
        this.audit = audit;
        this.rules = rules;
    }

    /** The sync of the configured mapping (an empty mapping grants nothing, and removes what it granted before). */
    public static GroupSync create(Database db, AuditService audit, List<AirlockConfig.GroupRule> mapping) {
        List<Rule> rules = mapping.stream()
                .map(g -> new Rule(
                        g.group(),
                        OrgService.validName(g.org(), "org"),
                        g.role().isEmpty() ? OrgRole.DEVELOPER : OrgRole.parse(g.role()),
                        g.team().isEmpty() ? "" : OrgService.validName(g.team(), "team")))
                .toList();
        return new GroupSync(db, new JdbiOrgStore(), new JdbiGroupSyncStore(), audit, rules);
    }

    /**
     * Makes {@code user}'s mapped memberships match {@code groups}, the complete set of groups {@code source} (a
     * provider name such as {@code oidc:okta} or {@code scim}) says the user is in now: adds and changes what the
     * mapping grants, removes what it granted before and no longer does; memberships made by hand are left alone.
     */
    public void apply(String user, String source, Set<String> groups) {
        db.write(tx -> {
            apply(tx, user, source, groups);
            return null;
        });
    }

    /** As {@link #apply(String, String, Set)} in the caller's transaction. */
    public void apply(Tx tx, String user, String source, Set<String> groups) {
        if (source == null || source.isBlank() || source.length() > 200) {
            throw new IllegalArgumentException("a group source is a short name such as oidc:okta or scim");
        }
        if (groups.size() > MAX_GROUPS) {
            throw AirlockException.badRequest("Too many groups (more than " + MAX_GROUPS + ").");
        }
        Set<String> clean = new TreeSet<>();
        for (String g : groups) {
            if (g != null && !g.isBlank() && g.length() <= 512) {
                clean.add(g);
            }
        }
        if (!orgs.userExists(tx, user)) {
            throw AirlockException.notFound("User \"" + user + "\" not found.");
        }
        store.replaceGroups(tx, user, source, clean);
        reconcile(tx, user, source);
    }

    /** Forgets every source's groups of {@code user} and which memberships the mapping made (deactivation). */
    public void forget(Tx tx, String user) {
        store.forget(tx, user);
    }

    private void reconcile(Tx tx, String user, String source) {
        Actor actor = new Actor("@group-sync", "group-sync", null, "local");
        Set<String> groups = store.deactivated(tx, user) ? Set.of() : store.groups(tx, user);
        Map<String, OrgRole> wantOrgs = new TreeMap<>();
        Set<String> wantTeams = new TreeSet<>();
        Map<String, Set<String>> because = new HashMap<>();
        for (Rule r : rules) {
            if (groups.contains(r.group())) {
                wantOrgs.merge(r.org(), r.role(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                because.computeIfAbsent(r.org(), k -> new LinkedHashSet<>()).add(r.group());
                if (!r.team().isEmpty()) {
                    wantTeams.add(r.org() + ":" + r.team());
                    because.computeIfAbsent(r.org() + ":" + r.team(), k -> new LinkedHashSet<>())
                            .add(r.group());
                }
            }
        }
        Set<String> mapped = store.mapped(tx, user);
        // teams the mapping made and no longer grants
        for (String key : mapped) {
            if (key.endsWith(":") || wantTeams.contains(key)) {
                continue;
            }
            String org = key.substring(0, key.indexOf(':'));
            String team = key.substring(key.indexOf(':') + 1);
            if (orgs.teamExists(tx, org, team)
                    && orgs.teamMembers(tx, org, team).contains(user)) {
                orgs.removeTeamMember(tx, org, team, user);
                audit.record(
                        tx,
                        actor,
                        "team.member.remove",
                        "team:" + org + ":" + team,
                        Map.of("user", user, "via", "group-sync", "source", source));
            }
            store.unmark(tx, user, org, team);
        }
        // org memberships the mapping made and no longer grants
        for (String key : mapped) {
            String org = key.substring(0, key.indexOf(':'));
            if (!key.endsWith(":") || wantOrgs.containsKey(org)) {
                continue;
            }
            OrgRole current = orgs.role(tx, org, user);
            if (current != null) {
                for (String team : orgs.teams(tx, org)) {
                    if (orgs.teamMembers(tx, org, team).contains(user)) {
                        orgs.removeTeamMember(tx, org, team, user);
                        audit.record(
                                tx,
                                actor,
                                "team.member.remove",
                                "team:" + org + ":" + team,
                                Map.of("user", user, "via", "group-sync", "source", source));
                    }
                }
                boolean lastOwner = current == OrgRole.OWNER && owners(tx, org) == 1;
                orgs.removeMember(tx, org, user);
                Map<String, Object> detail = new TreeMap<>(Map.of("user", user, "via", "group-sync", "source", source));
                if (lastOwner) {
                    detail.put("lastOwner", true);
                    LOG.warn("Org {} has no owner left: the group mapping removed {}", org, user);
                }
                audit.record(tx, actor, "org.member.remove", "org:" + org, detail);
            }
            store.unmarkOrg(tx, user, org);
        }
        // org memberships and roles the mapping grants
        for (Map.Entry<String, OrgRole> e : wantOrgs.entrySet()) {
            String org = e.getKey();
            OrgRole role = e.getValue();
            if (!orgs.exists(tx, org)) {
                LOG.warn(
                        "auth.groups maps groups {} to org {}, which does not exist: create it with"
                                + " ./airlock org create {} --owner USER",
                        because.get(org),
                        org,
                        org);
                continue;
            }
            OrgRole current = orgs.role(tx, org, user);
            boolean ours = mapped.contains(org + ":");
            if (current == null || (ours && current != role)) {
                orgs.setMember(tx, org, user, role);
                if (current == null && orgs.teamExists(tx, org, "developers")) {
                    orgs.addTeamMember(tx, org, "developers", user);
                }
                store.mark(tx, user, org, "");
                audit.record(
                        tx,
                        actor,
                        "org.member.set",
                        "org:" + org,
                        Map.of(
                                "user",
                                user,
                                "role",
                                role.wire(),
                                "via",
                                "group-sync",
                                "source",
                                source,
                                "groups",
                                List.copyOf(because.get(org))));
            }
        }
        // team memberships the mapping grants
        for (String key : wantTeams) {
            String org = key.substring(0, key.indexOf(':'));
            String team = key.substring(key.indexOf(':') + 1);
            if (!orgs.exists(tx, org) || orgs.role(tx, org, user) == null) {
                continue;
            }
            if (!orgs.teamExists(tx, org, team)) {
                LOG.warn(
                        "auth.groups maps groups {} to team {}:{}, which does not exist: create it with npm team"
                                + " create @{}:{}",
                        because.get(key),
                        org,
                        team,
                        org,
                        team);
                continue;
            }
            if (!orgs.teamMembers(tx, org, team).contains(user)) {
                orgs.addTeamMember(tx, org, team, user);
                store.mark(tx, user, org, team);
                audit.record(
                        tx,
                        actor,
                        "team.member.add",
                        "team:" + org + ":" + team,
                        Map.of(
                                "user",
                                user,
                                "via",
                                "group-sync",
                                "source",
                                source,
                                "groups",
                                List.copyOf(because.get(key))));
            }
        }
    }

    private int owners(Tx tx, String org) {
        return (int) orgs.members(tx, org).values().stream()
                .filter(r -> r == OrgRole.OWNER)
                .count();
    }
}
