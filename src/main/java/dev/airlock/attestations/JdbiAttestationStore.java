package dev.airlock.attestations;

import dev.airlock.platform.db.Tx;
import java.util.List;

final class JdbiAttestationStore implements AttestationStore {
    @Override
    public void put(Tx tx, String pkg, String version, String predicateType, String bundle, long at) {
        tx.handle()
                .createUpdate("DELETE FROM attestations WHERE package = :p AND version = :v AND predicate_type = :t")
                .bind("p", pkg)
                .bind("v", version)
                .bind("t", predicateType)
                .execute();
        tx.handle()
                .createUpdate("INSERT INTO attestations (package, version, predicate_type, bundle, created_at)"
                        + " VALUES (:p, :v, :t, :b, :at)")
                .bind("p", pkg)
                .bind("v", version)
                .bind("t", predicateType)
                .bind("b", bundle)
                .bind("at", at)
                .execute();
    }

    @Override
    public List<Row> list(Tx tx, String pkg, String version) {
        return tx.handle()
                .createQuery("SELECT predicate_type, bundle FROM attestations WHERE package = :p AND version = :v"
                        + " ORDER BY created_at, predicate_type")
                .bind("p", pkg)
                .bind("v", version)
                .map((rs, c) -> new Row(rs.getString("predicate_type"), rs.getString("bundle")))
                .list();
    }

    @Override
    public void delete(Tx tx, String pkg, String version) {
        tx.handle()
                .createUpdate("DELETE FROM attestations WHERE package = :p AND version = :v")
                .bind("p", pkg)
                .bind("v", version)
                .execute();
    }
}
