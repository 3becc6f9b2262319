package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface TwoFactorStore {
    record Row(String user, String mode, boolean pending, String secretEnc, long lastStep) {}

    Row find(Tx tx, String user);

    void upsert(Tx tx, String user, String mode, boolean pending, String secretEnc, long at);

    void setMode(Tx tx, String user, String mode, boolean pending, long at);

    void delete(Tx tx, String user);

    /** Advances last_step to {@code step} only if it is higher: true when this request won the step. */
    boolean claimStep(Tx tx, String user, long step);

    void replaceRecoveryCodes(Tx tx, String user, List<String> hashes);

    /** Marks an unused recovery code used; true when it existed and was unused. */
    boolean useRecoveryCode(Tx tx, String user, String hash, long at);

    void recordFailure(Tx tx, String user, long at);

    List<Long> failuresSince(Tx tx, String user, long since);

    int purgeFailures(Tx tx, long before);
}
