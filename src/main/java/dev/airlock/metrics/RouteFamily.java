package dev.airlock.metrics;

import java.util.Locale;

/**
 * The route family a request belongs to: the {@code family} label of {@code airlock_http_server_requests_seconds}.
 * A handful of values (never a raw path), decided from the matched route pattern and, for the package paths {@code
 * /<path>}, from the shape of the request path (a tarball or not).
 */
public enum RouteFamily {
    PACKUMENT,
    TARBALL,
    PUBLISH,
    STAGE,
    SEARCH,
    LOGIN,
    TOKEN,
    ACCOUNT,
    ACCESS,
    POLICY,
    TRUST,
    ADVISORIES,
    AUDIT,
    VERIFICATION,
    CONSOLE,
    METRICS,
    HEALTH,
    OTHER;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The label value: {@code packument}, {@code tarball}, … */
    public String label() {
        return label;
    }

    /** The family of a route pattern other than the package paths (see {@link #ofPackagePath}); null pattern = none. */
    public static RouteFamily ofPattern(String pattern) {
        if (pattern == null) {
            return OTHER;
        }
        if (pattern.equals("/-/metrics")) {
            return METRICS;
        }
        if (pattern.startsWith("/-/health/")) {
            return HEALTH;
        }
        if (pattern.startsWith("/-/stage") || pattern.startsWith("/-/airlock/v1/stage/")) {
            return STAGE;
        }
        if (pattern.equals("/-/v1/search")) {
            return SEARCH;
        }
        if (pattern.startsWith("/-/v1/login")
                || pattern.startsWith("/-/v1/done")
                || pattern.startsWith("/-/user/{id}")) {
            return LOGIN;
        }
        if (pattern.startsWith("/-/npm/v1/tokens")
                || pattern.startsWith("/-/user/token/")
                || pattern.equals("/-/airlock/v1/token")) {
            return TOKEN;
        }
        if (pattern.startsWith("/-/npm/v1/user")
                || pattern.equals("/-/whoami")
                || pattern.equals("/-/ping")
                || pattern.startsWith("/scim/v2/")) {
            return ACCOUNT;
        }
        if (pattern.startsWith("/-/npm/v1/oidc/") || pattern.endsWith("/trust") || pattern.endsWith("/trust/{id}")) {
            return TRUST;
        }
        if (pattern.startsWith("/-/airlock/v1/policy/") || pattern.startsWith("/-/airlock/v1/package/")) {
            return POLICY;
        }
        if (pattern.startsWith("/-/package/")
                || pattern.startsWith("/-/org/")
                || pattern.startsWith("/-/team/")
                || pattern.startsWith("/-/user/")) {
            return ACCESS;
        }
        if (pattern.startsWith("/-/npm/v1/security/")) {
            return ADVISORIES;
        }
        if (pattern.startsWith("/-/airlock/v1/audit") || pattern.startsWith("/-/airlock/v1/log/")) {
            return AUDIT;
        }
        if (pattern.equals("/-/npm/v1/keys")
                || pattern.startsWith("/-/npm/v1/attestations/")
                || pattern.startsWith("/-/airlock/v1/attestations/")) {
            return VERIFICATION;
        }
        if (pattern.startsWith("/-/console") || pattern.startsWith("/-/airlock/v1/confirm/")) {
            return CONSOLE;
        }
        return OTHER;
    }

    /**
     * The family of a request to the package paths {@code /<path>}: a read of a tarball ({@code /NAME/-/FILE.tgz}) or
     * of a packument or version document; any write (publish, deprecate, unpublish, owner changes) is {@code publish}.
     */
    public static RouteFamily ofPackagePath(boolean read, String requestPath) {
        if (!read) {
            return PUBLISH;
        }
        return requestPath.endsWith(".tgz") && requestPath.contains("/-/") ? TARBALL : PACKUMENT;
    }
}
