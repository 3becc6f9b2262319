package dev.airlock.orgs;

import dev.airlock.platform.db.Tx;
import java.util.Set;
import java.util.TreeSet;

final class JdbiGroupSyncStore implements GroupSyncStore {
    private static final JdbiOrgStore ORGS = new JdbiOrgStore();

    @Override
    public void replaceGroups(Tx tx, String user, String source, Set<String> groups) {
        tx.handle()
                .createUpdate("DELETE FROM user_groups WHERE user_name = :u AND source = :s")
                .bind("u", user)
                .bind("s", source)
                .execute();
        for (String g : groups) {
            tx.handle()
                    .createUpdate("INSERT INTO user_groups (user_name, source, grp) VALUES (:u, :s, :g)")
                    .bind("u", user)
                    .bind("s", source)
                    .bind("g", g)
                    .execute();
        }
    }

    @Override
    public Set<String> groups(Tx tx, String user) {
        return new TreeSet<>(tx.handle()
                .createQuery("SELECT DISTINCT grp FROM user_groups WHERE user_name = :u")
                .bind("u", user)
                .mapTo(String.class)
                .list());
    }

    @Override
    public boolean deactivated(Tx tx, String user) {
        return ORGS.userDeactivated(tx, user);
    }

    @Override
    public Set<String> mapped(Tx tx, String user) {
        return new TreeSet<>(tx.handle()
                .createQuery("SELECT org, team FROM mapped_memberships WHERE user_name = :u")
                .bind("u", user)
                .map((rs, c) -> rs.getString("org") + ":" + rs.getString("team"))
                .list());
    }

    @Override
    public void mark(Tx tx, String user, String org, String team) {
        unmark(tx, user, org, team);
        tx.handle()
                .createUpdate("INSERT INTO mapped_memberships (user_name, org, team) VALUES (:u, :o, :t)")
                .bind("u", user)
                .bind("o", org)
                .bind("t", team)
                .execute();
    }

    @Override
    public void unmark(Tx tx, String user, String org, String team) {
        tx.handle()
                .createUpdate("DELETE FROM mapped_memberships WHERE user_name = :u AND org = :o AND team = :t")
                .bind("u", user)
                .bind("o", org)
                .bind("t", team)
                .execute();
    }

    @Override
    public void unmarkOrg(Tx tx, String user, String org) {
        tx.handle()
                .createUpdate("DELETE FROM mapped_memberships WHERE user_name = :u AND org = :o")
                .bind("u", user)
                .bind("o", org)
                .execute();
    }

    @Override
    public void forget(Tx tx, String user) {
        tx.handle()
                .createUpdate("DELETE FROM user_groups WHERE user_name = :u")
                .bind("u", user)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM mapped_memberships WHERE user_name = :u")
                .bind("u", user)
                .execute();
    }
}
