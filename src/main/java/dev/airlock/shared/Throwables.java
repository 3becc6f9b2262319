package dev.airlock.shared;

import java.util.function.Predicate;

/** Looking through a failure's causes (and suppressed failures) for the one that says what happened. */
public final class Throwables {
    private Throwables() {}

    /** Whether {@code e}, one of its causes, or a failure suppressed along the way matches {@code test}. */
    public static boolean anyCause(Throwable e, Predicate<Throwable> test) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (anyCause(s, test)) {
                    return true;
                }
            }
        }
        return false;
    }
}
