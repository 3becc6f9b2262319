package dev.airlock.console.view;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Human units for the console's templates: sizes in KiB/MiB, times relative to the page's time, exact times in UTC. */
public final class Fmt {
    private static final DateTimeFormatter EXACT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Fmt() {}

    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double kib = bytes / 1024.0;
        if (kib < 1024) {
            return String.format(Locale.ROOT, kib < 10 ? "%.1f KiB" : "%.0f KiB", kib);
        }
        double mib = kib / 1024.0;
        return String.format(Locale.ROOT, mib < 10 ? "%.1f MiB" : "%.0f MiB", mib);
    }

    /** A size change: "+1.2 KiB", "−300 B", "no change". */
    public static String sizeChange(long before, long after) {
        long d = after - before;
        return d == 0 ? "no change" : (d > 0 ? "+" : "\u2212") + size(Math.abs(d));
    }

    public static String exact(long millis) {
        return EXACT.format(Instant.ofEpochMilli(millis));
    }

    /** "3 hours ago", "in 6 days", "just now". */
    public static String relative(long millis, long now) {
        long d = millis - now;
        long s = Math.abs(d) / 1000;
        if (s < 45) {
            return "just now";
        }
        String amount = s < 90
                ? "1 minute"
                : s < 45 * 60
                        ? plural(Math.round(s / 60.0), "minute")
                        : s < 90 * 60
                                ? "1 hour"
                                : s < 22 * 3600
                                        ? plural(Math.round(s / 3600.0), "hour")
                                        : s < 36 * 3600
                                                ? "1 day"
                                                : s < 30 * 86400
                                                        ? plural(Math.round(s / 86400.0), "day")
                                                        : s < 365 * 86400
                                                                ? plural(Math.round(s / (30 * 86400.0)), "month")
                                                                : plural(Math.round(s / (365 * 86400.0)), "year");
        return d < 0 ? amount + " ago" : "in " + amount;
    }

    /** "expires in 6 days" or "expired 2 hours ago". */
    public static String expiry(long millis, long now) {
        return (millis > now ? "expires " : "expired ") + relative(millis, now);
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
