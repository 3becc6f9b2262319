package dev.airlock.audit;

import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What a reader asks of the audit log (docs/audit.md, "Query"): events of one package, by one user, with one action
 * or an action family ({@code package.*}), in a time range, after a log index, at most {@code limit} of them. Every
 * parameter is checked here, once, for the HTTP API, the console and the command line alike.
 *
 * @param pkg the package name, or null
 * @param actor the acting user's name, or null
 * @param action an exact action, or a prefix ending in {@code .*} (kept without the star: {@code package.}), or null
 * @param since first time included (epoch ms), or null
 * @param until first time excluded (epoch ms), or null
 * @param after only entries with a larger log index, or null for the start of the log
 * @param limit at most this many events
 */
public record AuditFilter(PackageName pkg, String actor, String action, Long since, Long until, Long after, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9@][A-Za-z0-9@._-]{0,213}");
    private static final Pattern ACTION = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*(\\.\\*)?");
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([smhd])");

    public AuditFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw AirlockException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ".");
        }
        if (after != null && after < 0) {
            throw AirlockException.badRequest("after must be a log index (a whole number, 0 or more).");
        }
        if (since != null && until != null && since >= until) {
            throw AirlockException.badRequest("since must be earlier than until.");
        }
    }

    /** Everything, from the start of the log. */
    public static AuditFilter all(int limit) {
        return new AuditFilter(null, null, null, null, null, null, limit);
    }

    public AuditFilter after(Long index) {
        return new AuditFilter(pkg, actor, action, since, until, index, limit);
    }

    public AuditFilter limit(int n) {
        return new AuditFilter(pkg, actor, action, since, until, after, n);
    }

    /** Whether {@link #action} is a family ({@code package.*}) rather than one action. */
    public boolean actionPrefix() {
        return action != null && action.endsWith(".");
    }

    /**
     * Reads the filter from named text parameters ({@code package, actor, action, since, until, after, limit}); a
     * blank value counts as absent. {@code now} resolves relative times ({@code since=2h}).
     */
    public static AuditFilter parse(UnaryOperator<String> param, long now) {
        return new AuditFilter(
                pkg(blank(param.apply("package"))),
                user(blank(param.apply("actor"))),
                action(blank(param.apply("action"))),
                time("since", blank(param.apply("since")), now),
                time("until", blank(param.apply("until")), now),
                whole("after", blank(param.apply("after")), 0, Long.MAX_VALUE),
                limit(whole("limit", blank(param.apply("limit")), 1, MAX_LIMIT)));
    }

    private static PackageName pkg(String v) {
        return v == null ? null : PackageName.parse(v);
    }

    private static String user(String v) {
        if (v != null && !USER.matcher(v).matches()) {
            throw AirlockException.badRequest("actor must be a user name (letters, digits, '.', '_', '-').");
        }
        return v;
    }

    private static String action(String v) {
        if (v == null) {
            return null;
        }
        if (v.length() > 60 || !ACTION.matcher(v).matches()) {
            throw AirlockException.badRequest(
                    "action must be an action such as package.publish, or a family such as package.*");
        }
        return v.endsWith(".*") ? v.substring(0, v.length() - 1) : v;
    }

    /** An ISO-8601 instant (2025-01-31T12:00:00Z), a day (2025-01-31, midnight UTC), or an age (30m, 2h, 7d). */
    static Long time(String name, String v, long now) {
        if (v == null) {
            return null;
        }
        var rel = RELATIVE.matcher(v);
        if (rel.matches()) {
            long n = Long.parseLong(rel.group(1));
            Duration d = switch (rel.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now - d.toMillis();
        }
        try {
            return v.length() == 10
                    ? LocalDate.parse(v)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant()
                            .toEpochMilli()
                    : Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw AirlockException.badRequest(name + " must be a time such as 2025-01-31T12:00:00Z, a day such as"
                    + " 2025-01-31, or an age such as 30m, 2h or 7d.");
        }
    }

    private static Long whole(String name, String v, long min, long max) {
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw AirlockException.badRequest(name + " must be a whole number"
                + (max == Long.MAX_VALUE ? " (0 or more)" : " from " + min + " to " + max) + ".");
    }

    private static int limit(Long v) {
        return v == null ? DEFAULT_LIMIT : v.intValue();
    }

    private static String blank(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }
}
