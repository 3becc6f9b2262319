package dev.airlock.packages;

import java.util.Locale;

/** Where a package row is in its life, stored as its lower-case word. */
public enum PackageState {
    ACTIVE,
    /** Every version was unpublished: nothing is served, the maintainers keep the name. */
    UNPUBLISHED,
    /** A name reserved by a first staged upload: invisible until its first approval. */
    STAGED;

    /** The stored form: active | unpublished | staged. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PackageState fromWire(String s) {
        for (PackageState p : values()) {
            if (p.wire().equals(s)) {
                return p;
            }
        }
        throw new IllegalStateException("unknown stored package state \"" + s + "\"");
    }
}
