package dev.airlock.staging;

import java.util.Locale;

/** Where a stage is in its life, stored (and shown to npm stage list/view) as its lower-case word. */
public enum StageState {
    /** Waiting for approvals; its version is invisible on every read path. */
    PENDING,
    /** Enough maintainers approved: the version is published. */
    APPROVED,
    /** A maintainer rejected it: its bytes are discarded and its number is free again. */
    REJECTED,
    /** Nobody decided within the staging lifetime: discarded like a rejection. */
    EXPIRED;

    /** The stored and wire form: pending | approved | rejected | expired. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StageState fromWire(String s) {
        for (StageState st : values()) {
            if (st.wire().equals(s)) {
                return st;
            }
        }
        throw new IllegalStateException("unknown stored stage state \"" + s + "\"");
    }
}
