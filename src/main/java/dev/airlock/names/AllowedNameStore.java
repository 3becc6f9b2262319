package dev.airlock.names;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface AllowedNameStore {
    AllowedName find(Tx tx, String name);

    void insert(Tx tx, AllowedName allowed);

    boolean delete(Tx tx, String name);

    List<AllowedName> all(Tx tx);
}
