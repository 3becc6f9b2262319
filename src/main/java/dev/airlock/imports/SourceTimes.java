package dev.airlock.imports;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Times as registries write them in a packument's {@code time}: ISO-8601 with Z or an offset. */
public final class SourceTimes {
    private SourceTimes() {}

    /** Epoch millis, or null when absent or unreadable (the import then uses its own time). */
    public static Long parse(String iso) {
        if (iso == null || iso.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
