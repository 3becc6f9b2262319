package dev.airlock.console;

import dev.airlock.platform.db.Tx;

interface SessionStore {
    void insert(Tx tx, String idHash, String user, String csrf, long createdAt, long expiresAt);

    ConsoleSession find(Tx tx, String idHash, long now);

    void delete(Tx tx, String idHash);

    int deleteFor(Tx tx, String user);
}
