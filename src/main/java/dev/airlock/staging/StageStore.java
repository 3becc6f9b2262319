package dev.airlock.staging;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface StageStore {
    void insert(Tx tx, Stage stage);

    Stage find(Tx tx, String id);

    /** Pending stages, optionally of one package, oldest first. */
    List<Stage> pending(Tx tx, String pkg);

    List<Stage> expiredPending(Tx tx, long now);

    /** How many stages are pending and not past their time at {@code now}, and the oldest's creation time. */
    StagingService.PendingSummary pendingSummary(Tx tx, long now);

    /** Pending stages created at or before {@code before} and not yet expired at {@code now}, oldest first. */
    List<Stage> pendingCreatedBefore(Tx tx, long before, long now);

    void decide(Tx tx, String id, StageState state, long at, String by);

    List<Approval> approvals(Tx tx, String id);

    void addApproval(Tx tx, String id, Approval approval);
}
