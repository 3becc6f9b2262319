package dev.airlock.orgs;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;

interface OrgStore {
    boolean exists(Tx tx, String org);

    boolean userExists(Tx tx, String user);

    /** Whether the account exists and is deactivated (docs/deprovisioning.md). */
    boolean userDeactivated(Tx tx, String user);

    /** "org" when the name is an org's, "user" when it is a user's, null when neither: one statement. */
    String scopeOwner(Tx tx, String scope);

    void create(Tx tx, String org, long at);

    OrgRole role(Tx tx, String org, String user);

    Map<String, OrgRole> members(Tx tx, String org);

    void setMember(Tx tx, String org, String user, OrgRole role);

    void removeMember(Tx tx, String org, String user);

    boolean teamExists(Tx tx, String org, String team);

    void createTeam(Tx tx, String org, String team, String description, long at);

    void destroyTeam(Tx tx, String org, String team);

    List<String> teams(Tx tx, String org);

    List<String> teamMembers(Tx tx, String org, String team);

    void addTeamMember(Tx tx, String org, String team, String user);

    void removeTeamMember(Tx tx, String org, String team, String user);

    List<String> orgsOf(Tx tx, String user);
}
