package dev.airlock.audit;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface AuditStore {
    AuditEvent last(Tx tx);

    void append(Tx tx, AuditEvent event);

    List<AuditEvent> forTarget(Tx tx, String target);

    List<AuditEvent> all(Tx tx);
}
