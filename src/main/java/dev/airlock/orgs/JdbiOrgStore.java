package dev.airlock.orgs;

import dev.airlock.platform.db.Tx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class JdbiOrgStore implements OrgStore {
    @Override
    public boolean exists(Tx tx, String org) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM orgs WHERE name = :o")
                        .bind("o", org)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public boolean userDeactivated(Tx tx, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM users WHERE name = :u AND deactivated_at IS NOT NULL")
                        .bind("u", user)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public boolean userExists(Tx tx, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM users WHERE name = :u")
                        .bind("u", user)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public String scopeOwner(Tx tx, String scope) {
        // SELECT without FROM: SQLite and PostgreSQL both take it; one statement for the proxy's guard
        return tx.handle()
                .createQuery(
                        "SELECT (SELECT COUNT(*) FROM orgs WHERE name = :s), (SELECT COUNT(*) FROM users WHERE name = :s)")
                .bind("s", scope)
                .map((rs, c) -> rs.getInt(1) > 0 ? "org" : rs.getInt(2) > 0 ? "user" : null)
                .one();
    }

    @Override
    public void create(Tx tx, String org, long at) {
        tx.handle()
                .createUpdate("INSERT INTO orgs (name, created_at) VALUES (:o, :at)")
                .bind("o", org)
                .bind("at", at)
                .execute();
    }

    @Override
    public OrgRole role(Tx tx, String org, String user) {
        return tx.handle()
                .createQuery("SELECT role FROM org_members WHERE org = :o AND user_name = :u")
                .bind("o", org)
                .bind("u", user)
                .mapTo(String.class)
                .findOne()
                .map(OrgRole::parse)
                .orElse(null);
    }

    @Override
    public Map<String, OrgRole> members(Tx tx, String org) {
        Map<String, OrgRole> out = new LinkedHashMap<>();
        tx.handle()
                .createQuery("SELECT user_name, role FROM org_members WHERE org = :o ORDER BY user_name")
                .bind("o", org)
                .map((rs, c) -> Map.entry(rs.getString(1), OrgRole.parse(rs.getString(2))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void setMember(Tx tx, String org, String user, OrgRole role) {
        int updated = tx.handle()
                .createUpdate("UPDATE org_members SET role = :r WHERE org = :o AND user_name = :u")
                .bind("o", org)
                .bind("u", user)
                .bind("r", role.wire())
                .execute();
        if (updated == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO org_members (org, user_name, role) VALUES (:o, :u, :r)")
                    .bind("o", org)
                    .bind("u", user)
                    .bind("r", role.wire())
                    .execute();
        }
    }

    @Override
    public void removeMember(Tx tx, String org, String user) {
        tx.handle()
                .createUpdate("DELETE FROM team_members WHERE org = :o AND user_name = :u")
                .bind("o", org)
                .bind("u", user)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM org_members WHERE org = :o AND user_name = :u")
                .bind("o", org)
                .bind("u", user)
                .execute();
    }

    @Override
    public boolean teamExists(Tx tx, String org, String team) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM teams WHERE org = :o AND name = :t")
                        .bind("o", org)
                        .bind("t", team)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public void createTeam(Tx tx, String org, String team, String description, long at) {
        tx.handle()
                .createUpdate("INSERT INTO teams (org, name, description, created_at) VALUES (:o, :t, :d, :at)")
                .bind("o", org)
                .bind("t", team)
                .bind("d", description)
                .bind("at", at)
                .execute();
    }

    @Override
    public void destroyTeam(Tx tx, String org, String team) {
        tx.handle()
                .createUpdate("DELETE FROM team_members WHERE org = :o AND team = :t")
                .bind("o", org)
                .bind("t", team)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM team_packages WHERE org = :o AND team = :t")
                .bind("o", org)
                .bind("t", team)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM teams WHERE org = :o AND name = :t")
                .bind("o", org)
                .bind("t", team)
                .execute();
    }

    @Override
    public List<String> teams(Tx tx, String org) {
        return tx.handle()
                .createQuery("SELECT name FROM teams WHERE org = :o ORDER BY name")
                .bind("o", org)
                .mapTo(String.class)
                .list();
    }

    @Override
    public List<String> teamMembers(Tx tx, String org, String team) {
        return tx.handle()
                .createQuery("SELECT user_name FROM team_members WHERE org = :o AND team = :t ORDER BY user_name")
                .bind("o", org)
                .bind("t", team)
                .mapTo(String.class)
                .list();
    }

    @Override
    public void addTeamMember(Tx tx, String org, String team, String user) {
        tx.handle()
                .createUpdate("INSERT INTO team_members (org, team, user_name) SELECT :o, :t, :u WHERE NOT EXISTS"
                        + " (SELECT 1 FROM team_members WHERE org = :o AND team = :t AND user_name = :u)")
                .bind("o", org)
                .bind("t", team)
                .bind("u", user)
                .execute();
    }

    @Override
    public void removeTeamMember(Tx tx, String org, String team, String user) {
        tx.handle()
                .createUpdate("DELETE FROM team_members WHERE org = :o AND team = :t AND user_name = :u")
                .bind("o", org)
                .bind("t", team)
                .bind("u", user)
                .execute();
    }

    @Override
    public List<String> orgsOf(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT org FROM org_members WHERE user_name = :u ORDER BY org")
                .bind("u", user)
                .mapTo(String.class)
                .list();
    }
}
