package dev.airlock.shared;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated npm package name (rules of validate-npm-package-name for new packages).
 * Every name taken from a URL or a body passes through {@link #parse} before it is used.
 */
public record PackageName(String scope, String bare) {
    private static final Pattern PART = Pattern.compile("[a-z0-9-~][a-z0-9-._~]*");
    private static final Pattern SPECIAL = Pattern.compile("[~'!()*]");
    private static final Set<String> BLOCKED = Set.of("node_modules", "favicon.ico");
    private static final Set<String> CORE = Set.of("assert", "buffer", "child_process", "cluster", "console",
            "constants", "crypto", "dgram", "dns", "domain", "events", "fs", "http", "http2", "https", "module",
            "net", "os", "path", "process", "punycode", "querystring", "readline", "repl", "stream",
            "string_decoder", "sys", "timers", "tls", "tty", "url", "util", "vm", "zlib", "inspector", "perf_hooks",
            "trace_events", "v8", "worker_threads", "async_hooks", "wasi", "diagnostics_channel", "test");

    public PackageName {
        if (scope != null) {
            checkPart(scope, "scope");
        }
        if (bare != null && SPECIAL.matcher(bare).find()) {
            // validate-npm-package-name: not valid for new packages, though encodeURIComponent leaves these alone
            throw AirlockException.badRequest("Invalid package name \"" + bare + "\": name can no longer contain special"
                    + " characters (\"~'!()*\")");
        }
        checkPart(bare, "name");
        if (scope == null && (BLOCKED.contains(bare) || CORE.contains(bare))) {
            throw AirlockException.badRequest("Invalid package name \"" + bare + "\": it is a reserved name");
        }
        int length = bare.length() + (scope == null ? 0 : scope.length() + 2);
        if (length > 214) {
            throw AirlockException.badRequest("Invalid package name: name can no longer contain more than 214 characters");
        }
    }

    private static void checkPart(String part, String what) {
        if (part == null || part.isEmpty()) {
            throw AirlockException.badRequest("Invalid package name: " + what + " must not be empty");
        }
        if (!part.equals(part.toLowerCase(Locale.ROOT))) {
            throw AirlockException.badRequest("Invalid package name \"" + part + "\": name can no longer contain capital letters");
        }
        if (part.startsWith(".") || part.startsWith("_")) {
            throw AirlockException.badRequest("Invalid package name \"" + part + "\": name cannot start with a period or an underscore");
        }
        if (!PART.matcher(part).matches()) {
            throw AirlockException.badRequest("Invalid package name \"" + part + "\": name can only contain URL-friendly characters");
        }
    }

    /** Parses {@code name} or {@code @scope/name}; throws a 400 AirlockException otherwise. */
    public static PackageName parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw AirlockException.badRequest("Invalid package name: name must not be empty");
        }
        if (raw.length() > 214) {
            throw AirlockException.badRequest("Invalid package name: name can no longer contain more than 214 characters");
        }
        if (!raw.equals(raw.trim())) {
            throw AirlockException.badRequest("Invalid package name: name cannot contain leading or trailing spaces");
        }
        if (raw.startsWith("@")) {
            int slash = raw.indexOf('/');
            if (slash < 0 || raw.indexOf('/', slash + 1) >= 0) {
                throw AirlockException.badRequest("Invalid package name \"" + raw + "\": a scoped name is @scope/name");
            }
            return new PackageName(raw.substring(1, slash), raw.substring(slash + 1));
        }
        if (raw.indexOf('/') >= 0) {
            throw AirlockException.badRequest("Invalid package name \"" + raw + "\": name can only contain URL-friendly characters");
        }
        return new PackageName(null, raw);
    }

    public boolean scoped() {
        return scope != null;
    }

    /** The full name as npm spells it: {@code @scope/name} or {@code name}. */
    @Override
    public String toString() {
        return scope == null ? bare : "@" + scope + "/" + bare;
    }

    /** The name as the npm CLI escapes it in paths ({@code @scope%2fname}). */
    public String escaped() {
        return scope == null ? bare : "@" + scope + "%2f" + bare;
    }
}
