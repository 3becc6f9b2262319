package dev.airlock.platform.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds {@link AirlockConfig} from, in increasing precedence: defaults, a YAML file, {@code AIRLOCK_*}
 * environment variables, and command-line flags. Unknown keys are an error, so typos never pass silently.
 */
public final class ConfigLoader {
    /** Every key with its default ("" = derived). docs/configuration.md documents the same list. */
    public static final Map<String, String> DEFAULTS = defaults();

    private ConfigLoader() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("server.host", "127.0.0.1");
        d.put("server.port", "4873");
        d.put("server.publicUrl", "");
        d.put("server.trustedProxies", "");
        d.put("server.limits.maxConnections", "10000");
        d.put("server.limits.idleTimeout", "PT30S");
        d.put("server.limits.maxHeaderBytes", "16384");
        d.put("server.limits.minRequestBytesPerSecond", "1024");
        d.put("data.dir", "data");
        d.put("database.url", "");
        d.put("database.user", "");
        d.put("database.password", "");
        d.put("database.poolSize", "8");
        d.put("database.busyTimeout", "PT30S");
        d.put("blobs.dir", "");
        d.putAll(S3Config.defaults());
        d.put("limits.maxBodyBytes", String.valueOf(64L << 20));
        d.put("limits.maxTarballBytes", String.valueOf(32L << 20));
        d.put("limits.maxUnpackedBytes", String.valueOf(256L << 20));
        d.put("limits.maxEntries", "20000");
        d.put("auth.anonymousRead", "true");
        d.put("auth.allowSignup", "false");
        d.put("auth.sessionDays", "30");
        d.put("auth.maxPasswordFailures", "10");
        d.put("auth.passwordFailureWindowMinutes", "15");
        d.put("auth.passwordSignIn", "true");
        d.putAll(LdapConfig.defaults());
        d.put("security.secretKey", "");
        d.put("security.signingKeyFile", "");
        d.put("cluster.nodeId", "");
        d.put("cluster.leaseSeconds", "30");
        d.put("staging.expiryDays", "7");
        d.put("twofactor.maxFailures", "5");
        d.put("twofactor.failureWindowMinutes", "15");
        d.put("twofactor.resetDelay", "PT72H");
        d.put("tokens.bypassMayPublish", "false");
        d.put("trust.defaultIssuers", "true");
        d.put("provenance.trustedRoot", "");
        d.put("proxy.upstream", "");
        d.put("proxy.token", "");
        d.put("proxy.maxAgeSeconds", "300");
        d.put("proxy.timeoutSeconds", "30");
        d.put("proxy.internal", "");
        d.put("proxy.cooldown", "");
        d.put("proxy.cooldownExclude", "");
        d.put("proxy.notFoundSeconds", "60");
        d.put("proxy.prefetch", "4");
        d.putAll(NotificationsConfig.defaults());
        d.put("metrics.enabled", "false");
        d.put("metrics.token", "");
        d.put("cache.packumentBytes", Long.toString(32L << 20));
        d.putAll(AlertsConfig.defaults());
        d.putAll(MailCheckConfig.defaults());
        return java.util.Collections.unmodifiableMap(d);
    }

    /** The environment variable that sets {@code key}: server.publicUrl → AIRLOCK_SERVER_PUBLIC_URL. */
    public static String envName(String key) {
        return "AIRLOCK_"
                + key.replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    public static AirlockConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            values.putAll(readYaml(file));
        }
        for (String key : DEFAULTS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            // AIRLOCK_TRUST_ISSUERS_<NAME>_<TYPE|ISSUER|JWKS> adds an OIDC issuer
            var m = java.util.regex.Pattern.compile("AIRLOCK_TRUST_ISSUERS_([A-Z0-9]+)_(TYPE|ISSUER|JWKS)")
                    .matcher(e.getKey());
            if (m.matches()) {
                values.put(
                        "trust.issuers." + m.group(1).toLowerCase(Locale.ROOT) + "."
                                + m.group(2).toLowerCase(Locale.ROOT),
                        e.getValue());
            }
            // AIRLOCK_PROXY_UPSTREAMS_<N>_<URL|TOKEN|MATCH|MAX_AGE_SECONDS|TIMEOUT_SECONDS> sets entry N of the list
            var u = java.util.regex.Pattern.compile(
                            "AIRLOCK_PROXY_UPSTREAMS_(\\d{1,3})_(URL|TOKEN|MATCH|MAX_AGE_SECONDS|TIMEOUT_SECONDS)")
                    .matcher(e.getKey());
            if (u.matches()) {
                String field = switch (u.group(2)) {
                    case "MAX_AGE_SECONDS" -> "maxAgeSeconds";
                    case "TIMEOUT_SECONDS" -> "timeoutSeconds";
                    default -> u.group(2).toLowerCase(Locale.ROOT);
                };
                values.put("proxy.upstreams." + Integer.parseInt(u.group(1)) + "." + field, e.getValue());
            }
            // AIRLOCK_AUTH_OIDC_<NAME>_<ISSUER|CLIENT_ID|...> sets auth.oidc.NAME.*
            String oidcKey = OidcConfig.fromEnv(e.getKey());
            if (oidcKey != null) {
                values.put(oidcKey, e.getValue());
            }
            // AIRLOCK_AUTH_GROUPS_<N>_<GROUP|ORG|ROLE|TEAM> sets entry N of auth.groups
            var g = java.util.regex.Pattern.compile("AIRLOCK_AUTH_GROUPS_(\\d{1,3})_(GROUP|ORG|ROLE|TEAM)")
                    .matcher(e.getKey());
            if (g.matches()) {
                values.put(
                        "auth.groups." + Integer.parseInt(g.group(1)) + "."
                                + g.group(2).toLowerCase(Locale.ROOT),
                        e.getValue());
            }
            String webhookKey = NotificationsConfig.fromEnv(e.getKey());
            if (webhookKey != null) {
                values.put(webhookKey, e.getValue());
            }
            // AIRLOCK_AUDIT_SINKS_<N>_<NAME|TYPE|HOST|PORT|CA_FILE|PATH|MAX_BYTES|KEEP> sets entry N of audit.sinks
            var k = java.util.regex.Pattern.compile(
                            "AIRLOCK_AUDIT_SINKS_(\\d{1,3})_(NAME|TYPE|HOST|PORT|CA_FILE|PATH|MAX_BYTES|KEEP)")
                    .matcher(e.getKey());
            if (k.matches()) {
                String field = switch (k.group(2)) {
                    case "CA_FILE" -> "caFile";
                    case "MAX_BYTES" -> "maxBytes";
                    default -> k.group(2).toLowerCase(Locale.ROOT);
                };
                values.put("audit.sinks." + Integer.parseInt(k.group(1)) + "." + field, e.getValue());
            }
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            if (e.getValue() != null) {
                requireKnown(e.getKey(), "flag");
                values.put(e.getKey(), e.getValue());
            }
        }
        return build(values);
    }

    private static Map<String, String> readYaml(Path file) {
        try {
            Object tree = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
            Map<String, String> flat = new LinkedHashMap<>();
            if (tree != null) {
                flatten("", tree, flat, file);
            }
            return flat;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Keys whose value is a list: written in YAML as a list or as one comma-separated string, in env/flags as the string. */
    static final java.util.Set<String> LIST_KEYS =
            java.util.Set.of("server.trustedProxies", "proxy.internal", "proxy.cooldownExclude");

    private static void flatten(String prefix, Object node, Map<String, String> out, Path file) {
        if (prefix.equals("proxy.upstreams")) {
            upstreams(node, out, file);
        } else if (prefix.equals("auth.groups")) {
            groupRules(node, out, file);
        } else if (prefix.equals("notifications.webhooks")) {
            NotificationsConfig.entries(node, file).forEach((key, entry) -> flatten(key, entry, out, file));
        } else if (prefix.equals("audit.sinks")) {
            auditSinks(node, out, file);
        } else if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(
                        prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(),
                        e.getValue(),
                        out,
                        file);
            }
        } else if (node instanceof java.util.List<?> list) {
            requireKnown(prefix, "key in " + file);
            if (!LIST_KEYS.contains(prefix)
                    && !UPSTREAM_KEY.matcher(prefix).matches()
                    && !NotificationsConfig.known(prefix)
                    && !OidcConfig.known(prefix)
                    && !AlertsConfig.isList(prefix)) {
                throw new IllegalArgumentException(prefix + " in " + file + " takes one value, not a list");
            }
            java.util.List<String> items = new java.util.ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (item == null || item instanceof Map<?, ?> || item instanceof java.util.List<?>) {
                    throw new IllegalArgumentException(prefix + " in " + file + ": entry " + (i + 1) + " is "
                            + (item == null ? "empty" : "not a single value") + "; write one value per \"- \" line");
                }
                items.add(String.valueOf(item).trim());
            }
            out.put(prefix, String.join(",", items));
        } else {
            requireKnown(prefix, "key in " + file);
            out.put(prefix, node == null ? "" : String.valueOf(node));
        }
    }

    private static final java.util.regex.Pattern ISSUER_KEY =
            java.util.regex.Pattern.compile("trust\\.issuers\\.([a-z0-9-]+)\\.(type|issuer|jwks)");

    /** An entry of proxy.upstreams, numbered from 1 (proxy.upstreams.1.url). */
    private static final java.util.regex.Pattern UPSTREAM_KEY = java.util.regex.Pattern.compile(
            "proxy\\.upstreams\\.([1-9]\\d{0,2})\\.(url|token|maxAgeSeconds|timeoutSeconds|match)");

    /** proxy.upstreams in YAML: a list of mappings, flattened to proxy.upstreams.N.field (N from 1). */
    private static void upstreams(Object node, Map<String, String> out, Path file) {
        if (node == null) {
            return;
        }
        if (!(node instanceof java.util.List<?> list)) {
            throw new IllegalArgumentException("proxy.upstreams in " + file + " takes a list of upstreams, each with"
                    + " url and optional token, match, maxAgeSeconds, timeoutSeconds (see docs/proxy.md)");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException("proxy.upstreams in " + file + ": entry " + (i + 1)
                        + " is not a mapping; write \"- url: https://…\" with match, token… under it");
            }
            flatten("proxy.upstreams." + (i + 1), entry, out, file);
        }
    }

    /** An entry of auth.groups, numbered from 1 (auth.groups.1.group). */
    private static final java.util.regex.Pattern GROUP_KEY =
            java.util.regex.Pattern.compile("auth\\.groups\\.([1-9]\\d{0,2})\\.(group|org|role|team)");

    /** auth.groups in YAML: a list of mappings, flattened to auth.groups.N.field (N from 1). */
    private static void groupRules(Object node, Map<String, String> out, Path file) {
        if (node == null) {
            return;
        }
        if (!(node instanceof java.util.List<?> list)) {
            throw new IllegalArgumentException("auth.groups in " + file + " takes a list of entries, each with group,"
                    + " org and a role or a team (see docs/deprovisioning.md)");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException("auth.groups in " + file + ": entry " + (i + 1)
                        + " is not a mapping; write \"- group: …\" with org and role or team under it");
            }
            flatten("auth.groups." + (i + 1), entry, out, file);
        }
    }

    /** auth.groups.N.*: entries numbered 1, 2, … without gaps. */
    private static java.util.List<AirlockConfig.GroupRule> groupRuleList(Map<String, String> v) {
        java.util.SortedSet<Integer> numbers = new java.util.TreeSet<>();
        for (String key : v.keySet()) {
            var m = GROUP_KEY.matcher(key);
            if (m.matches()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        java.util.List<AirlockConfig.GroupRule> out = new java.util.ArrayList<>();
        for (int n : numbers) {
            if (n != out.size() + 1) {
                throw new IllegalArgumentException("auth.groups entry " + (out.size() + 1) + " is missing, but there is"
                        + " an entry " + n + " (entries are numbered from 1 without gaps)");
            }
            String p = "auth.groups." + n + ".";
            try {
                out.add(new AirlockConfig.GroupRule(
                        v.get(p + "group"), v.get(p + "org"), v.get(p + "role"), v.get(p + "team")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("auth.groups entry " + n + ": " + e.getMessage(), e);
            }
        }
        return java.util.List.copyOf(out);
    }

    /** An entry of audit.sinks, numbered from 1 (audit.sinks.1.type). */
    private static final java.util.regex.Pattern SINK_KEY = java.util.regex.Pattern.compile(
            "audit\\.sinks\\.([1-9]\\d{0,2})\\.(name|type|host|port|caFile|path|maxBytes|keep)");

    /** audit.sinks in YAML: a list of mappings, flattened to audit.sinks.N.field (N from 1). */
    private static void auditSinks(Object node, Map<String, String> out, Path file) {
        if (node == null) {
            return;
        }
        if (!(node instanceof java.util.List<?> list)) {
            throw new IllegalArgumentException("audit.sinks in " + file + " takes a list of sinks, each with name,"
                    + " type (syslog-tcp, syslog-tls or file) and its settings (see docs/audit.md)");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException("audit.sinks in " + file + ": entry " + (i + 1)
                        + " is not a mapping; write \"- name: siem\" with type, host, port… under it");
            }
            for (Map.Entry<?, ?> e : entry.entrySet()) {
                String key = "audit.sinks." + (i + 1) + "." + e.getKey();
                if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof java.util.List<?>) {
                    throw new IllegalArgumentException(key + " in " + file + " takes one value");
                }
                requireKnown(key, "key in " + file);
                out.put(key, e.getValue() == null ? "" : String.valueOf(e.getValue()));
            }
        }
    }

    /** audit.sinks.N.*: entries numbered 1, 2, … without gaps. */
    private static java.util.List<AirlockConfig.AuditSink> sinkList(Map<String, String> v) {
        java.util.SortedSet<Integer> numbers = new java.util.TreeSet<>();
        for (String key : v.keySet()) {
            var m = SINK_KEY.matcher(key);
            if (m.matches()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        java.util.List<AirlockConfig.AuditSink> out = new java.util.ArrayList<>();
        for (int n : numbers) {
            String p = "audit.sinks." + n + ".";
            if (n != out.size() + 1) {
                throw new IllegalArgumentException("audit.sinks entry " + (out.size() + 1) + " is missing, but"
                        + " there is an entry " + n + " (entries are numbered from 1 without gaps)");
            }
            Map<String, String> e = new java.util.HashMap<>();
            e.put("port", "0");
            e.put("maxBytes", String.valueOf(10L << 20));
            e.put("keep", "5");
            for (String f : new String[] {"name", "type", "host", "port", "caFile", "path", "maxBytes", "keep"}) {
                if (v.containsKey(p + f)) {
                    e.put(f, v.get(p + f).trim());
                }
            }
            try {
                out.add(new AirlockConfig.AuditSink(
                        e.get("name"),
                        e.get("type"),
                        e.getOrDefault("host", ""),
                        intOf(e, "port"),
                        e.getOrDefault("caFile", ""),
                        e.getOrDefault("path", ""),
                        longOf(e, "maxBytes"),
                        intOf(e, "keep")));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("audit.sinks entry " + n + ": " + x.getMessage(), x);
            }
        }
        return java.util.List.copyOf(out);
    }

    private static void requireKnown(String key, String where) {
        if (!DEFAULTS.containsKey(key)
                && !ISSUER_KEY.matcher(key).matches()
                && !UPSTREAM_KEY.matcher(key).matches()
                && !GROUP_KEY.matcher(key).matches()
                && !NotificationsConfig.known(key)
                && !OidcConfig.known(key)
                && !SINK_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(
                    "Unknown configuration " + where + ": " + key + " (see docs/configuration.md)");
        }
    }

    private static AirlockConfig build(Map<String, String> v) {
        String host = v.get("server.host");
        int port = intOf(v, "server.port");
        String publicUrl = v.get("server.publicUrl");
        if (publicUrl.isEmpty()) {
            publicUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
        if (!publicUrl.matches("https?://[^/\\s?#]+(/[^\\s?#]*)?")) {
            throw new IllegalArgumentException("server.publicUrl must be an absolute http(s) URL: " + publicUrl);
        }
        Path data = Path.of(v.get("data.dir")).toAbsolutePath().normalize();
        String dbUrl =
                v.get("database.url").isEmpty() ? "jdbc:sqlite:" + data.resolve("airlock.db") : v.get("database.url");
        Path blobs = v.get("blobs.dir").isEmpty()
                ? data.resolve("blobs")
                : Path.of(v.get("blobs.dir")).toAbsolutePath();
        return new AirlockConfig(
                new AirlockConfig.Server(
                        host,
                        port,
                        publicUrl,
                        new AirlockConfig.ServerLimits(
                                intOf(v, "server.limits.maxConnections"),
                                isoDuration("server.limits.idleTimeout", v.get("server.limits.idleTimeout")),
                                intOf(v, "server.limits.maxHeaderBytes"),
                                longOf(v, "server.limits.minRequestBytesPerSecond"))),
                data,
                new AirlockConfig.Database(
                        dbUrl,
                        v.get("database.user"),
                        v.get("database.password"),
                        intOf(v, "database.poolSize"),
                        isoDuration("database.busyTimeout", v.get("database.busyTimeout"))),
                blobs,
                new AirlockConfig.Limits(
                        longOf(v, "limits.maxBodyBytes"),
                        longOf(v, "limits.maxTarballBytes"),
                        longOf(v, "limits.maxUnpackedBytes"),
                        intOf(v, "limits.maxEntries")),
                new AirlockConfig.Auth(
                        boolOf(v, "auth.anonymousRead"),
                        boolOf(v, "auth.allowSignup"),
                        intOf(v, "auth.sessionDays"),
                        intOf(v, "auth.maxPasswordFailures"),
                        intOf(v, "auth.passwordFailureWindowMinutes"),
                        boolOf(v, "auth.passwordSignIn"),
                        OidcConfig.providers(v),
                        groupRuleList(v),
                        LdapConfig.from(v)),
                new AirlockConfig.Security(v.get("security.secretKey"), v.get("security.signingKeyFile")),
                new AirlockConfig.Staging(intOf(v, "staging.expiryDays")),
                new AirlockConfig.TwoFactor(
                        intOf(v, "twofactor.maxFailures"),
                        intOf(v, "twofactor.failureWindowMinutes"),
                        isoDuration("twofactor.resetDelay", v.get("twofactor.resetDelay"))),
                new AirlockConfig.Tokens(boolOf(v, "tokens.bypassMayPublish")),
                proxies(v.get("server.trustedProxies")),
                issuers(v),
                new AirlockConfig.Proxy(
                        v.get("proxy.upstream").trim(),
                        v.get("proxy.token"),
                        intOf(v, "proxy.maxAgeSeconds"),
                        intOf(v, "proxy.timeoutSeconds"),
                        internalPatterns("proxy.internal", v.get("proxy.internal")),
                        duration("proxy.cooldown", v.get("proxy.cooldown")),
                        internalPatterns("proxy.cooldownExclude", v.get("proxy.cooldownExclude")),
                        upstreamList(v),
                        intOf(v, "proxy.notFoundSeconds"),
                        intOf(v, "proxy.prefetch")),
                NotificationsConfig.from(v),
                sinkList(v),
                new AirlockConfig.Metrics(boolOf(v, "metrics.enabled"), v.get("metrics.token")),
                AlertsConfig.from(v),
                v.get("provenance.trustedRoot").isBlank()
                        ? null
                        : Path.of(v.get("provenance.trustedRoot")).toAbsolutePath(),
                S3Config.from(v),
                new AirlockConfig.Cluster(v.get("cluster.nodeId"), intOf(v, "cluster.leaseSeconds")),
                MailCheckConfig.from(v),
                new AirlockConfig.Cache(longOf(v, "cache.packumentBytes")));
    }

    /** proxy.upstreams.N.*: entries numbered 1, 2, … without gaps, each with a url; the others default to proxy.*. */
    private static java.util.List<AirlockConfig.Upstream> upstreamList(Map<String, String> v) {
        java.util.SortedSet<Integer> numbers = new java.util.TreeSet<>();
        for (String key : v.keySet()) {
            var m = UPSTREAM_KEY.matcher(key);
            if (m.matches()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        java.util.List<AirlockConfig.Upstream> out = new java.util.ArrayList<>();
        for (int n : numbers) {
            String p = "proxy.upstreams." + n + ".";
            String url = v.get(p + "url");
            if (n != out.size() + 1) {
                throw new IllegalArgumentException("proxy.upstreams entry " + (out.size() + 1) + " is missing, but"
                        + " there is an entry " + n + " (entries are numbered from 1 without gaps)");
            }
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("proxy.upstreams entry " + n + " has no url");
            }
            try {
                out.add(new AirlockConfig.Upstream(
                        url.trim(),
                        v.getOrDefault(p + "token", ""),
                        intOf(v, v.containsKey(p + "maxAgeSeconds") ? p + "maxAgeSeconds" : "proxy.maxAgeSeconds"),
                        intOf(v, v.containsKey(p + "timeoutSeconds") ? p + "timeoutSeconds" : "proxy.timeoutSeconds"),
                        internalPatterns(p + "match", v.getOrDefault(p + "match", ""))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("proxy.upstreams entry " + n + ": " + e.getMessage(), e);
            }
        }
        return java.util.List.copyOf(out);
    }

    /** GitHub Actions, GitLab.com and CircleCI unless trust.defaultIssuers is false, plus trust.issuers.NAME.*. */
    private static java.util.List<AirlockConfig.Issuer> issuers(Map<String, String> v) {
        Map<String, AirlockConfig.Issuer> out = new LinkedHashMap<>();
        if (boolOf(v, "trust.defaultIssuers")) {
            out.put(
                    "github",
                    new AirlockConfig.Issuer(
                            "github",
                            "github",
                            "https://token.actions.githubusercontent.com",
                            "https://token.actions.githubusercontent.com/.well-known/jwks"));
            out.put(
                    "gitlab",
                    new AirlockConfig.Issuer(
                            "gitlab", "gitlab", "https://gitlab.com", "https://gitlab.com/oauth/discovery/keys"));
            out.put(
                    "circleci",
                    new AirlockConfig.Issuer(
                            "circleci",
                            "circleci",
                            "https://oidc.circleci.com/org/*",
                            "{iss}/.well-known/jwks-pub.json"));
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String key : v.keySet()) {
            var m = ISSUER_KEY.matcher(key);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        for (String name : names) {
            String type = v.get("trust.issuers." + name + ".type");
            String issuer = v.get("trust.issuers." + name + ".issuer");
            String jwks = v.get("trust.issuers." + name + ".jwks");
            if (type == null || issuer == null || jwks == null) {
                throw new IllegalArgumentException("trust.issuers." + name + " needs type, issuer and jwks");
            }
            out.put(name, new AirlockConfig.Issuer(name, type, issuer, jwks));
        }
        return java.util.List.copyOf(out.values());
    }

    /** An ISO-8601 duration such as PT72H or P3D (twofactor.resetDelay). */
    private static java.time.Duration isoDuration(String key, String raw) {
        try {
            return java.time.Duration.parse(raw.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    key + " takes an ISO-8601 duration, e.g. PT72H or P3D; got \"" + raw + "\"", e);
        }
    }

    /** proxy.cooldown: empty (none) or a number with a unit: 30m, 72h, 3d (also s and w). */
    private static java.time.Duration duration(String key, String raw) {
        String t = raw.trim();
        if (t.isEmpty() || t.equals("0")) {
            return java.time.Duration.ZERO;
        }
        var m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*([smhdw])").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    key + " takes a number with a unit (s, m, h, d or w), e.g. 72h or 3d; got \"" + raw + "\"");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            case "d" -> java.time.Duration.ofDays(n);
            default -> java.time.Duration.ofDays(7 * n);
        };
    }

    /** proxy.internal: "@scope/*", "name" or "prefix-*", separated by commas or spaces (or a YAML list). */
    private static java.util.List<String> internalPatterns(String key, String raw) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String p : raw.split("[,\\s]+")) {
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("(@[a-z0-9][a-z0-9._~-]*/)?[a-zA-Z0-9._~*-]+")
                    || p.indexOf('*') >= 0 && p.indexOf('*') != p.length() - 1) {
                throw new IllegalArgumentException(key + " takes package names, \"@scope/*\" or \"prefix*\""
                        + " (a * only at the end), got \"" + p + "\"");
            }
            out.add(p);
        }
        return java.util.List.copyOf(out);
    }

    private static java.util.List<String> proxies(String raw) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String p : raw.split("[,\\s]+")) {
            if (p.isEmpty()) {
                continue;
            }
            String cidr = p.contains("/") ? p : p + "/32";
            if (!cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")
                    || java.util.Arrays.stream(cidr.split("[./]"))
                                    .mapToInt(Integer::parseInt)
                                    .max()
                                    .orElse(0)
                            > 255
                    || Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)) > 32) {
                throw new IllegalArgumentException(
                        "server.trustedProxies takes IPv4 addresses or CIDR ranges (such as 10.0.0.0/8),"
                                + " as a YAML list or separated by commas, got \"" + p + "\"");
            }
            out.add(cidr);
        }
        return java.util.List.copyOf(out);
    }

    public static boolean publicUrlIsDefault(Path file, Map<String, String> env, Map<String, String> flags) {
        if (flags.get("server.publicUrl") != null || env.get(envName("server.publicUrl")) != null) {
            return false;
        }
        return file == null || !readYaml(file).containsKey("server.publicUrl");
    }

    private static int intOf(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got \"" + v.get(key) + "\"");
        }
    }

    private static long longOf(Map<String, String> v, String key) {
        try {
            return Long.parseLong(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got \"" + v.get(key) + "\"");
        }
    }

    private static boolean boolOf(Map<String, String> v, String key) {
        String s = v.get(key).trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got \"" + v.get(key) + "\"");
        }
        return Boolean.parseBoolean(s);
    }
}
