package dev.airlock.orgs;

import static dev.airlock.testing.Services.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.TokenScope;
import dev.airlock.testing.Services;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The orgs feature's rules on a temporary SQLite database: roles, the last owner, teams, and who sees an org. */
class OrgRulesTest {
    Services s;
    OrgService orgs;
    Actor owner;
    Actor admin;
    Actor dev;
    Actor outsider;

    @BeforeEach
    void setUp() {
        s = Services.start();
        owner = s.user("olive");
        admin = s.user("adam");
        dev = s.user("dora");
        outsider = s.user("oscar");
        orgs = s.airlock.orgs;
        orgs.createOrg(Actor.operator(), "corp", "olive");
        orgs.setMember(owner, "corp", "adam", OrgRole.ADMIN);
        orgs.setMember(owner, "corp", "dora", OrgRole.DEVELOPER);
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Test
    void anOrgIsCreatedWithItsOwnerInTheDevelopersTeam() {
        assertEquals(
                Map.of("olive", OrgRole.OWNER, "adam", OrgRole.ADMIN, "dora", OrgRole.DEVELOPER),
                orgs.members(dev, "corp"));
        assertEquals(List.of("developers"), orgs.teams(dev, "@corp"));
        assertEquals(Set.of("olive", "adam", "dora"), Set.copyOf(orgs.teamMembers(dev, "corp", "developers")));
        fails(
                ErrorCode.CONFLICT,
                "Org \"corp\" already exists.",
                () -> orgs.createOrg(Actor.operator(), "corp", "olive"));
        fails(
                ErrorCode.CONFLICT,
                "\"oscar\" is a user name; users and orgs share one namespace of scopes.",
                () -> orgs.createOrg(Actor.operator(), "oscar", "olive"));
        fails(
                ErrorCode.NOT_FOUND,
                "User \"ghost\" not found.",
                () -> orgs.createOrg(Actor.operator(), "other", "ghost"));
        fails(
                ErrorCode.BAD_REQUEST,
                "Invalid org name \"Bad Name\".",
                () -> orgs.createOrg(Actor.operator(), "Bad Name", "olive"));
    }

    @Test
    void rolesDecideWhoManagesMembers() {
        fails(ErrorCode.NOT_FOUND, "Org \"corp\" not found.", () -> orgs.members(outsider, "corp"));
        fails(
                ErrorCode.NOT_FOUND,
                "Org \"corp\" not found.",
                () -> orgs.setMember(outsider, "corp", "oscar", OrgRole.DEVELOPER));
        fails(
                ErrorCode.FORBIDDEN,
                "You must be an admin of org \"corp\" to do this (you are a developer).",
                () -> orgs.setMember(dev, "corp", "oscar", OrgRole.DEVELOPER));
        fails(
                ErrorCode.FORBIDDEN,
                "Only an owner of org \"corp\" can add or change owners.",
                () -> orgs.setMember(admin, "corp", "oscar", OrgRole.OWNER));
        fails(
                ErrorCode.NOT_FOUND,
                "User \"ghost\" not found.",
                () -> orgs.setMember(admin, "corp", "ghost", OrgRole.DEVELOPER));
        assertEquals(4, orgs.setMember(admin, "corp", "oscar", OrgRole.DEVELOPER));
        fails(
                ErrorCode.FORBIDDEN,
                "Only an owner of org \"corp\" can remove an owner.",
                () -> orgs.removeMember(admin, "corp", "olive"));
        orgs.removeMember(admin, "corp", "oscar");
        fails(
                ErrorCode.NOT_FOUND,
                "\"oscar\" is not a member of org \"corp\".",
                () -> orgs.removeMember(admin, "corp", "oscar"));
    }

    @Test
    void anOrgKeepsAtLeastOneOwner() {
        fails(
                ErrorCode.CONFLICT,
                "\"olive\" is the last owner of org \"corp\"; add another owner first.",
                () -> orgs.setMember(owner, "corp", "olive", OrgRole.ADMIN));
        fails(
                ErrorCode.CONFLICT,
                "\"olive\" is the last owner of org \"corp\" and cannot be removed.",
                () -> orgs.removeMember(owner, "corp", "olive"));
        orgs.setMember(owner, "corp", "adam", OrgRole.OWNER);
        orgs.setMember(admin, "corp", "olive", OrgRole.DEVELOPER);
        assertEquals(OrgRole.DEVELOPER, orgs.members(dev, "corp").get("olive"));
    }

    @Test
    void teamsHoldOnlyMembersAndAreManagedByAdmins() {
        fails(
                ErrorCode.FORBIDDEN,
                "You must be an admin of org \"corp\" to do this (you are a developer).",
                () -> orgs.createTeam(dev, "corp", "core", null));
        orgs.createTeam(admin, "corp", "core", "the core team");
        fails(
                ErrorCode.CONFLICT,
                "Team \"corp:core\" already exists.",
                () -> orgs.createTeam(admin, "corp", "core", null));
        fails(
                ErrorCode.BAD_REQUEST,
                "\"oscar\" is not a member of org \"corp\"; add them with `npm org set corp oscar` first.",
                () -> orgs.addToTeam(admin, "corp", "core", "oscar"));
        orgs.addToTeam(admin, "corp", "core", "dora");
        assertEquals(List.of("dora"), orgs.teamMembers(dev, "corp", "core"));
        fails(
                ErrorCode.NOT_FOUND,
                "\"adam\" is not in team \"corp:core\".",
                () -> orgs.removeFromTeam(admin, "corp", "core", "adam"));
        orgs.removeFromTeam(admin, "corp", "core", "dora");
        assertEquals(List.of(), orgs.teamMembers(dev, "corp", "core"));
        orgs.destroyTeam(owner, "corp", "core");
        fails(ErrorCode.NOT_FOUND, "Team \"corp:core\" not found.", () -> orgs.teamMembers(dev, "corp", "core"));
        fails(ErrorCode.NOT_FOUND, "Team \"corp:core\" not found.", () -> orgs.destroyTeam(owner, "corp", "core"));
    }

    @Test
    void aTokenManagesAnOrgOnlyWithReadWriteOrgPermission() {
        Actor readOnly = new Actor(
                "olive",
                "granular",
                "t1",
                "127.0.0.1",
                null,
                TokenScope.builder()
                        .orgs(Set.of("corp"))
                        .orgPermission(TokenScope.READ_ONLY)
                        .build());
        assertEquals(3, orgs.members(readOnly, "corp").size());
        fails(
                ErrorCode.FORBIDDEN,
                "This token cannot manage org \"corp\": it needs --orgs corp with --orgs-permission=read-write.",
                () -> orgs.createTeam(readOnly, "corp", "core", null));
        Actor otherOrg = new Actor(
                "olive",
                "granular",
                "t2",
                "127.0.0.1",
                null,
                TokenScope.builder()
                        .orgs(Set.of("elsewhere"))
                        .orgPermission(TokenScope.READ_WRITE)
                        .build());
        fails(ErrorCode.NOT_FOUND, "Org \"corp\" not found.", () -> orgs.members(otherOrg, "corp"));
    }

    @Test
    void membersMayCreatePackagesInTheOrgScope() {
        s.publish(dev, "@corp/lib", "1.0.0");
        fails(
                ErrorCode.FORBIDDEN,
                "You are not a member of org \"corp\", so you cannot publish @corp/other. Ask an org owner to"
                        + " run `npm org set corp oscar`.",
                () -> s.publish(outsider, "@corp/other", "1.0.0"));
        // org owners and admins may write every package of the org; developers only what they maintain
        s.publish(admin, "@corp/lib", "1.1.0");
        fails(
                ErrorCode.FORBIDDEN,
                "You do not have permission to change \"@corp/lib\": you are not one of its maintainers. Ask a"
                        + " maintainer to run `npm owner add <you> @corp/lib`.",
                () -> s.publish(s.user("dan"), "@corp/lib", "1.2.0"));
    }
}
