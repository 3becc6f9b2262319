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

    void recordPasswordFailure(Tx tx, String name, String source, long at);

    /** Sources of the wrong passwords tried on the account since {@code since}, oldest first (one entry each). */
    List<PasswordFailure> passwordFailuresSince(Tx tx, String name, long since);

    void clearPasswordFailures(Tx tx, String name, String source);

    int purgePasswordFailures(Tx tx, long before);

    /** When the account was deactivated; null while active or when there is no such account. */
    Long deactivatedAt(Tx tx, String name);

    void setDeactivated(Tx tx, String name, Long deactivatedAt, long at);

    /** Until when the account's credentials are honoured without a new single sign-on (null: no limit). */
    void setSsoUntil(Tx tx, String name, Long until);

    Long ssoUntil(Tx tx, String name);

    /** Active accounts whose single sign-on lapsed by {@code now} and whose lapse is not recorded yet. */
    java.util.List<String> ssoLapsedUnnoted(Tx tx, long now);

    /** Records the lapse once: true when this call did (several nodes may run the re-check). */
    boolean noteSsoLapsed(Tx tx, String name, long now);

    record PasswordFailure(String source, long at) {}
}
