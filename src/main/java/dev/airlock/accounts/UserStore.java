package dev.airlock.accounts;

import dev.airlock.platform.db.Tx;
import java.util.List;
import java.util.Map;

interface UserStore {
    void insert(Tx tx, User user, String passwordHash);

    User byName(Tx tx, String name);

    String passwordHash(Tx tx, String name);

    List<User> all(Tx tx);

    void updateProfile(Tx tx, String name, Map<String, String> fields, long at);

    void updatePassword(Tx tx, String name, String hash, long at);
}
