package dev.airlock.console;

import dev.airlock.platform.db.Tx;

interface WebLoginStore {
    record Row(
            String idHash,
            long createdAt,
            long expiresAt,
            String user,
            String tokenSealed,
            String source,
            String userAgent) {}

    void insert(Tx tx, String idHash, long createdAt, long expiresAt, String source, String userAgent);

    Row find(Tx tx, String idHash);

    void complete(Tx tx, String idHash, String user, String tokenSealed);

    /** True when this call removed the row (the token is handed out once). */
    boolean delete(Tx tx, String idHash);

    /** Removes the logins completed for {@code user} and not collected yet; how many. */
    int deleteFor(Tx tx, String user);
}
