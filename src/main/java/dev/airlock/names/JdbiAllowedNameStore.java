package dev.airlock.names;

import dev.airlock.platform.db.Tx;
import java.util.List;

final class JdbiAllowedNameStore implements AllowedNameStore {
    @Override
    public AllowedName find(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT name, allowed_by, allowed_at FROM allowed_names WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> new AllowedName(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .findOne()
                .orElse(null);
    }

    @Override
    public void insert(Tx tx, AllowedName a) {
        tx.handle()
                .createUpdate("INSERT INTO allowed_names (name, allowed_by, allowed_at) VALUES (:n, :by, :at)")
                .bind("n", a.name())
                .bind("by", a.allowedBy())
                .bind("at", a.allowedAt())
                .execute();
    }

    @Override
    public boolean delete(Tx tx, String name) {
        return tx.handle()
                        .createUpdate("DELETE FROM allowed_names WHERE name = :n")
                        .bind("n", name)
                        .execute()
                > 0;
    }

    @Override
    public List<AllowedName> all(Tx tx) {
        return tx.handle()
                .createQuery("SELECT name, allowed_by, allowed_at FROM allowed_names ORDER BY name")
                .map((rs, c) -> new AllowedName(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .list();
    }
}
