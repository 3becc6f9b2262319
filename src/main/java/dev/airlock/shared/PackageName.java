package dev.airlock.shared;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated npm package name. {@link #parse} accepts what npm's validate-npm-package-name 7 calls valid for
 * <em>existing</em> packages ({@code validForOldPackages}, which npm and npm-package-arg require to install a name),
 * so every package of the public registry can be read and installed. The stricter rules npm applies to <em>new</em>
 * packages are {@link #newPackageProblems}: publishing asks them of a name that is not in the registry yet.
 * <p>
 * Airlock is stricter than npm in two places: a scope is an Airlock user or org name (lowercase, URL-friendly, not
 * starting with a period or an underscore, as on the public registry), and a name has at most 214 characters (the
 * database's width; npm only warns for new packages). Every name taken from a URL or a body passes through
 * {@link #parse} before it is used.
 */
public record PackageName(String scope, String bare) {
    /** What encodeURIComponent leaves alone: the only characters npm allows in a name or in each half of a scoped one. */
    private static final Pattern URL_FRIENDLY = Pattern.compile("[A-Za-z0-9\\-_.!~*'()]+");

    private static final Pattern SCOPE = Pattern.compile("[a-z0-9-~][a-z0-9-._~]*");
    private static final Pattern SPECIAL = Pattern.compile("[~'!()*]");
    public static final int MAX_LENGTH = 214;
    /** validate-npm-package-name's exclusion list (compared in lowercase): never valid. */
    private static final Set<String> EXCLUDED = Set.of("node_modules", "favicon.ico");
    /** validate-npm-package-name 7.0.2's lib/builtin-modules.json (Node's builtinModules): not valid for new packages. */
    private static final Set<String> CORE = Set.of(
            "_http_agent",
            "_http_client",
            "_http_common",
            "_http_incoming",
            "_http_outgoing",
            "_http_server",
            "_stream_duplex",
            "_stream_passthrough",
            "_stream_readable",
            "_stream_transform",
            "_stream_wrap",
            "_stream_writable",
            "_tls_common",
            "_tls_wrap",
            "assert",
            "assert/strict",
            "async_hooks",
            "buffer",
            "child_process",
            "cluster",
            "console",
            "constants",
            "crypto",
            "dgram",
            "diagnostics_channel",
            "dns",
            "dns/promises",
            "domain",
            "events",
            "fs",
            "fs/promises",
            "http",
            "http2",
            "https",
            "inspector",
            "inspector/promises",
            "module",
            "net",
            "os",
            "path",
            "path/posix",
            "path/win32",
            "perf_hooks",
            "process",
            "punycode",
            "querystring",
            "readline",
            "readline/promises",
            "repl",
            "stream",
            "stream/consumers",
            "stream/promises",
            "stream/web",
            "string_decoder",
            "sys",
            "timers",
            "timers/promises",
            "tls",
            "trace_events",
            "tty",
            "url",
            "util",
            "util/types",
            "v8",
            "vm",
            "wasi",
            "worker_threads",
            "zlib",
            "node:sea",
            "node:sqlite",
            "node:test",
            "node:test/reporters");

    public PackageName {
        if (scope != null) {
            checkScope(scope);
        }
        if (bare == null || bare.isEmpty()) {
            throw AirlockException.badRequest("Invalid package name: name must not be empty");
        }
        String full = scope == null ? bare : "@" + scope + "/" + bare;
        if (bare.startsWith(".") || scope == null && bare.startsWith("_")) {
            throw invalid(full, "name cannot start with a period or an underscore");
        }
        if (scope == null && bare.startsWith("-")) {
            throw invalid(full, "name cannot start with a hyphen");
        }
        if (scope == null && EXCLUDED.contains(bare.toLowerCase(Locale.ROOT))) {
            throw invalid(full, bare.toLowerCase(Locale.ROOT) + " is reserved and never a valid package name");
        }
        if (!URL_FRIENDLY.matcher(bare).matches()) {
            throw invalid(full, "name can only contain URL-friendly characters");
        }
        if (full.length() > MAX_LENGTH) {
            throw AirlockException.badRequest(
                    "Invalid package name: name can no longer contain more than " + MAX_LENGTH + " characters");
        }
    }

    private static void checkScope(String scope) {
        if (scope.isEmpty()) {
            throw AirlockException.badRequest("Invalid package name: scope must not be empty");
        }
        if (scope.startsWith(".") || scope.startsWith("_")) {
            throw AirlockException.badRequest("Invalid package name \"@" + scope
                    + "\": a scope cannot start with a period" + " or an underscore");
        }
        if (!scope.equals(scope.toLowerCase(Locale.ROOT))) {
            throw AirlockException.badRequest("Invalid package name \"@" + scope
                    + "\": a scope is a user or org name and" + " cannot contain capital letters");
        }
        if (!SCOPE.matcher(scope).matches()) {
            throw AirlockException.badRequest("Invalid package name \"@" + scope + "\": a scope is a user or org name:"
                    + " lowercase letters, digits and - . _ ~");
        }
    }

    private static AirlockException invalid(String name, String why) {
        return AirlockException.badRequest("Invalid package name \"" + name + "\": " + why);
    }

    /** Parses {@code name} or {@code @scope/name} by npm's rules for existing packages; throws a 400 otherwise. */
    public static PackageName parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw AirlockException.badRequest("Invalid package name: name must not be empty");
        }
        if (raw.length() > MAX_LENGTH) {
            throw AirlockException.badRequest(
                    "Invalid package name: name can no longer contain more than " + MAX_LENGTH + " characters");
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
            throw AirlockException.badRequest(
                    "Invalid package name \"" + raw + "\": name can only contain URL-friendly characters");
        }
        return new PackageName(null, raw);
    }

    /**
     * Why npm would refuse this name for a <em>new</em> package (validate-npm-package-name's warnings, which make
     * {@code validForNewPackages} false): empty when the name is fine for a new package.
     */
    public List<String> newPackageProblems() {
        String full = toString();
        List<String> problems = new ArrayList<>();
        if (CORE.contains(full.toLowerCase(Locale.ROOT))) {
            problems.add(full + " is a Node.js core module name");
        }
        if (!full.equals(full.toLowerCase(Locale.ROOT))) {
            problems.add(full + " contains capital letters");
        }
        if (SPECIAL.matcher(bare).find()) {
            problems.add(full + " contains special characters (~'!()*)");
        }
        return problems;
    }

    /** validate-npm-package-name's {@code validForNewPackages}. */
    public boolean validForNewPackages() {
        return newPackageProblems().isEmpty();
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
