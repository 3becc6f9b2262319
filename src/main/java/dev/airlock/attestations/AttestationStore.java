package dev.airlock.attestations;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface AttestationStore {
    record Row(String predicateType, String bundle) {}

    void put(Tx tx, String pkg, String version, String predicateType, String bundle, long at);

    List<Row> list(Tx tx, String pkg, String version);

    void delete(Tx tx, String pkg, String version);
}
