package dev.airlock.packages;

import java.util.Locale;

/** Where a version row is in its life, stored as its lower-case word. Only a published version is ever served. */
public enum VersionState {
    /** Uploaded by npm stage publish, invisible on every read path until approved. */
    STAGED,
    PUBLISHED,
    /** Kept for the record; its number can never be used again. */
    REJECTED,
    /** Removed by npm unpublish; its number can never be used again. */
    UNPUBLISHED;

    /** The stored form: staged | published | rejected | unpublished. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VersionState fromWire(String s) {
        for (VersionState v : values()) {
            if (v.wire().equals(s)) {
                return v;
            }
        }
        throw new IllegalStateException("unknown stored version state \"" + s + "\"");
    }
}
