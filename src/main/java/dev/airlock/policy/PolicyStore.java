package dev.airlock.policy;

import dev.airlock.platform.db.Tx;

interface PolicyStore {
    Policy find(Tx tx, String subject);

    void save(Tx tx, String subject, Policy policy, String by, long at);
}
