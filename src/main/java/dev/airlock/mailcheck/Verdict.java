package dev.airlock.mailcheck;

import java.util.Locale;

/** A check's outcome: pass, warn (works, but weaker than it should be) or fail (fix it). Ordered by severity. */
public enum Verdict {
    PASS,
    WARN,
    FAIL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Verdict worst(Verdict other) {
        return other.compareTo(this) > 0 ? other : this;
    }
}
