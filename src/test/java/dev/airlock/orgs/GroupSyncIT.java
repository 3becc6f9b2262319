package dev.airlock.orgs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditEvent;
import dev.airlock.shared.Actor;
import dev.airlock.testing.TestRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group mapping ({@code auth.groups}) applied by {@link GroupSync} on a real server and database: memberships
 * added, roles changed (the highest grant wins), removed when the group is gone, hand-made memberships untouched,
 * several sources, and orgs or teams the mapping names that do not exist (skipped, never created).
 */
class GroupSyncIT {
    static TestRegistry registry;
    static GroupSync sync;

    @BeforeAll
    static void start() {
        Map<String, String> s = new HashMap<>();
        rule(s, 1, "eng", "acme", "role", "developer");
        rule(s, 2, "eng-leads", "acme", "role", "admin");
        rule(s, 3, "platform", "acme", "team", "platform");
        rule(s, 4, "ghosts", "ghost", "role", "owner");
        rule(s, 5, "later", "acme", "team", "later");
        rule(s, 6, "registry-admins", "acme", "role", "owner");
        registry = TestRegistry.start(s);
        sync = registry.airlock.groupSync;
        registry.addUser("founder", "founder-password");
        registry.createOrg("acme", "founder");
        registry.airlock.orgs.createTeam(Actor.operator(), "acme", "platform", "platform team");
    }

    static void rule(Map<String, String> s, int n, String group, String org, String kind, String value) {
        s.put("auth.groups." + n + ".group", group);
        s.put("auth.groups." + n + ".org", org);
        s.put("auth.groups." + n + "." + kind, value);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static Map<String, OrgRole> acme() {
        return registry.airlock.orgs.members(Actor.operator(), "acme");
    }

    static List<String> team(String team) {
        return registry.airlock.orgs.teamMembers(Actor.operator(), "acme", team);
    }

    static List<AuditEvent> events(String target, String user) {
        return registry.airlock.audit.forTarget(target).stream()
                .filter(e -> user.equals(String.valueOf(e.detail().get("user"))))
                .toList();
    }

    @Test
    void membershipsFollowTheGroupsAddedChangedAndRemoved() {
        registry.addUser("ann", "ann-password");
        sync.apply("ann", "oidc:test", Set.of("eng"));
        assertThat(acme()).containsEntry("ann", OrgRole.DEVELOPER);
        assertThat(team("developers")).contains("ann");

        sync.apply("ann", "oidc:test", Set.of("eng", "eng-leads"));
        assertThat(acme()).containsEntry("ann", OrgRole.ADMIN);

        sync.apply("ann", "oidc:test", Set.of("eng-leads", "platform", "unmapped"));
        assertThat(acme()).containsEntry("ann", OrgRole.ADMIN);
        assertThat(team("platform")).containsExactly("ann");

        sync.apply("ann", "oidc:test", Set.of("eng"));
        assertThat(acme()).containsEntry("ann", OrgRole.DEVELOPER);
        assertThat(team("platform")).doesNotContain("ann");

        sync.apply("ann", "oidc:test", Set.of());
        assertThat(acme()).doesNotContainKey("ann");
        assertThat(team("developers")).doesNotContain("ann");

        // each change audited as npm org set / npm org rm / npm team add / npm team rm, saying it was the mapping
        List<AuditEvent> org = events("org:acme", "ann");
        assertThat(org.stream().map(AuditEvent::action))
                .containsExactly("org.member.set", "org.member.set", "org.member.set", "org.member.remove");
        assertThat(org.stream().map(e -> e.detail().get("role")).toList())
                .containsExactly("developer", "admin", "developer", null);
        assertThat(org.get(0).detail()).containsEntry("via", "group-sync").containsEntry("source", "oidc:test");
        assertThat(events("team:acme:platform", "ann").stream().map(AuditEvent::action))
                .containsExactly("team.member.add", "team.member.remove");
        // the same complete set again changes nothing and records nothing
        sync.apply("ann", "oidc:test", Set.of());
        assertThat(events("org:acme", "ann")).hasSize(4);
    }

    @Test
    void aMembershipMadeByHandIsNeverChangedOrRemovedByASync() {
        registry.addUser("hugo", "hugo-password");
        registry.airlock.orgs.setMember(Actor.operator(), "acme", "hugo", OrgRole.DEVELOPER);
        registry.airlock.orgs.addToTeam(Actor.operator(), "acme", "platform", "hugo");
        sync.apply("hugo", "scim", Set.of("eng-leads", "platform"));
        assertThat(acme()).containsEntry("hugo", OrgRole.DEVELOPER);
        sync.apply("hugo", "scim", Set.of());
        assertThat(acme()).containsEntry("hugo", OrgRole.DEVELOPER);
        assertThat(team("platform")).contains("hugo");
        assertThat(events("org:acme", "hugo")).hasSize(1); // only the hand-made npm org set
    }

    @Test
    void oneSourceDoesNotUndoWhatAnotherSourcesGroupsGrant() {
        registry.addUser("sam", "sam-password");
        sync.apply("sam", "scim", Set.of("eng"));
        sync.apply("sam", "oidc:test", Set.of("registry-admins"));
        assertThat(acme()).containsEntry("sam", OrgRole.OWNER);
        sync.apply("sam", "oidc:test", Set.of());
        assertThat(acme()).containsEntry("sam", OrgRole.DEVELOPER);
        sync.apply("sam", "scim", Set.of());
        assertThat(acme()).doesNotContainKey("sam");
    }

    @Test
    void anOrgOrTeamTheMappingNamesThatDoesNotExistIsSkippedNotCreated() {
        registry.addUser("gil", "gil-password");
        sync.apply("gil", "oidc:test", Set.of("ghosts", "eng", "later"));
        assertThat((boolean) registry.airlock.db.read(tx -> registry.airlock.orgs.exists(tx, "ghost")))
                .isFalse();
        assertThat(acme()).containsEntry("gil", OrgRole.DEVELOPER);
        assertThat((boolean) registry.airlock.db.read(tx -> registry.airlock.orgs.teamExists(tx, "acme", "later")))
                .isFalse();
        // once the operator creates them, the next sign-in applies the entries
        registry.airlock.orgs.createTeam(Actor.operator(), "acme", "later", "");
        registry.createOrg("ghost", "founder");
        sync.apply("gil", "oidc:test", Set.of("ghosts", "eng", "later"));
        assertThat(team("later")).containsExactly("gil");
        assertThat(registry.airlock.orgs.members(Actor.operator(), "ghost")).containsEntry("gil", OrgRole.OWNER);
    }

    @Test
    void aDeactivatedUserIsGrantedNothingAndReactivationStartsAfresh() {
        registry.addUser("dee", "dee-password");
        sync.apply("dee", "scim", Set.of("eng"));
        registry.airlock.deprovisioning.deactivate(Actor.operator(), "dee");
        assertThat(acme()).doesNotContainKey("dee");
        sync.apply("dee", "scim", Set.of("eng"));
        assertThat(acme()).doesNotContainKey("dee");
        registry.airlock.deprovisioning.reactivate(Actor.operator(), "dee");
        sync.apply("dee", "scim", Set.of("eng"));
        assertThat(acme()).containsEntry("dee", OrgRole.DEVELOPER);
    }
}
