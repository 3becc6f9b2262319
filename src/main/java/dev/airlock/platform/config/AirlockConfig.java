package dev.airlock.platform.config;

import java.nio.file.Path;
import java.util.List;

/** Immutable, validated configuration. Built by {@link ConfigLoader}; every key is listed in docs/configuration.md. */
public record AirlockConfig(
        Server server,
        Path dataDir,
        Database database,
        Path blobDir,
        Limits limits,
        Auth auth,
        Security security,
        Staging staging,
        TwoFactor twoFactor,
        Tokens tokens,
        List<String> trustedProxies,
        List<Issuer> issuers,
        Proxy proxy,
        NotificationsConfig notifications,
        List<AuditSink> auditSinks,
        Metrics metrics,
        AlertsConfig alerts,
        Path provenanceTrustedRoot,
        S3Config s3,
        Cluster cluster,
        MailCheckConfig mailCheck,
        Cache cache) {

    public AirlockConfig {
        cache = cache == null ? Cache.DEFAULT : cache;
        auditSinks = List.copyOf(auditSinks);
        alerts = alerts == null ? AlertsConfig.DEFAULT : alerts;
        s3 = s3 == null ? S3Config.NONE : s3;
        cluster = cluster == null ? Cluster.DEFAULT : cluster;
        mailCheck = mailCheck == null ? MailCheckConfig.DEFAULT : mailCheck;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (AuditSink s : auditSinks) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("audit.sinks: two sinks are named \"" + s.name()
                        + "\"; each needs its own name (it keys the sink's delivery cursor)");
            }
        }
    }

    public record Server(String host, int port, String publicUrl, ServerLimits limits) {
        public Server {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("server.port must be 0..65535");
            }
        }

        /** The public base URL without a trailing slash. */
        public String base() {
            return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        }

        /**
         * Where browsers reach the console: the public URL, except that a loopback IP address becomes
         * {@code localhost}, because browsers allow security keys (WebAuthn) only on a domain name.
         */
        public String consoleUrl() {
            return base().replaceFirst("^(https?://)(127\\.0\\.0\\.1|\\[::1])([:/]|$)", "$1localhost$3");
        }
    }

    public record Database(String url, String user, String password, int poolSize, java.time.Duration busyTimeout) {
        /** With SQLite's default wait for a lock another process holds (30 s). */
        public Database(String url, String user, String password, int poolSize) {
            this(url, user, password, poolSize, java.time.Duration.ofSeconds(30));
        }

        public boolean sqlite() {
            return url.startsWith("jdbc:sqlite:");
        }
    }

    /**
     * What one client may hold of the server ({@code server.limits.*}, docs/configuration.md): open connections in all,
     * how long a connection may stay silent, the largest request head, and the slowest request body accepted.
     */
    public record ServerLimits(
            int maxConnections, java.time.Duration idleTimeout, int maxHeaderBytes, long minRequestBytesPerSecond) {
        public ServerLimits {
            if (maxConnections <= 0 || maxHeaderBytes < 1024 || minRequestBytesPerSecond < 0) {
                throw new IllegalArgumentException("server.limits.maxConnections must be positive,"
                        + " server.limits.maxHeaderBytes at least 1024, server.limits.minRequestBytesPerSecond 0 or"
                        + " more");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("server.limits.idleTimeout must be positive");
            }
        }
    }

    public record Limits(long maxBodyBytes, long maxTarballBytes, long maxUnpackedBytes, int maxEntries) {
        public Limits {
            if (maxBodyBytes <= 0 || maxTarballBytes <= 0 || maxUnpackedBytes <= 0 || maxEntries <= 0) {
                throw new IllegalArgumentException("limits.* must be positive");
            }
        }
    }

    /**
     * {@code maxPasswordFailures}: wrong passwords one source address may try on one account within
     * {@code passwordFailureWindowMinutes}; an account refuses every password for the rest of the window after ten
     * times that many from all sources together. {@code passwordSignIn}: false = people sign in only through the
     * {@code oidc} providers (docs/sso.md). {@code ldap}: the directory passwords are checked against (null: none).
     */
    public record Auth(
            boolean anonymousRead,
            boolean allowSignup,
            int sessionDays,
            int maxPasswordFailures,
            int passwordFailureWindowMinutes,
            boolean passwordSignIn,
            List<OidcConfig.Provider> oidc,
            List<GroupRule> groups,
            LdapConfig ldap) {
        public Auth {
            oidc = List.copyOf(oidc);
            if (maxPasswordFailures <= 0 || passwordFailureWindowMinutes <= 0) {
                throw new IllegalArgumentException(
                        "auth.maxPasswordFailures and auth.passwordFailureWindowMinutes must be positive");
            }
            groups = groups == null ? List.of() : List.copyOf(groups);
        }

        public Auth(
                boolean anonymousRead,
                boolean allowSignup,
                int sessionDays,
                int maxPasswordFailures,
                int passwordFailureWindowMinutes) {
            this(
                    anonymousRead,
                    allowSignup,
                    sessionDays,
                    maxPasswordFailures,
                    passwordFailureWindowMinutes,
                    true,
                    List.of(),
                    List.of(),
                    null);
        }
    }

    /**
     * One entry of {@code auth.groups} (docs/deprovisioning.md): members of the identity provider's {@code group}
     * get {@code role} (owner, admin or developer) in {@code org}, or, with a {@code team}, membership of that team
     * (and of the org as a developer at least).
     */
    public record GroupRule(String group, String org, String role, String team) {
        public GroupRule {
            if (group == null || group.isBlank() || org == null || org.isBlank()) {
                throw new IllegalArgumentException("needs a group and an org");
            }
            role = role == null || role.isBlank() ? "" : role.trim();
            team = team == null || team.isBlank() ? "" : team.trim();
            if (role.isEmpty() == team.isEmpty()) {
                throw new IllegalArgumentException("give either a role (owner, admin or developer) or a team, not "
                        + (role.isEmpty() ? "neither" : "both"));
            }
            if (!role.isEmpty() && !role.matches("owner|admin|developer")) {
                throw new IllegalArgumentException("role must be owner, admin or developer, not \"" + role + "\"");
            }
            org = org.trim().startsWith("@") ? org.trim().substring(1) : org.trim();
        }
    }

    /**
     * {@code secretKey}: base64 of 32 bytes used to encrypt secrets at rest; empty = DATA/secret.key.
     * {@code signingKeyFile}: the registry's ECDSA P-256 signing key (PEM, PKCS#8); empty = DATA/signing.key,
     * generated on first start.
     */
    public record Security(String secretKey, String signingKeyFile) {
        public Security {
            signingKeyFile = signingKeyFile == null ? "" : signingKeyFile.trim();
        }

        public Security(String secretKey) {
            this(secretKey, "");
        }
    }

    /**
     * Several nodes on one database (docs/deployment.md): {@code nodeId} names this node (empty = host name and
     * process id); {@code leaseSeconds} is how long a node that stopped answering keeps a queue it drained (an audit
     * sink) before another node takes it over.
     */
    public record Cluster(String nodeId, int leaseSeconds) {
        public static final Cluster DEFAULT = new Cluster("", 30);

        public Cluster {
            nodeId = nodeId == null ? "" : nodeId.strip();
            if (leaseSeconds < 5) {
                throw new IllegalArgumentException("cluster.leaseSeconds must be at least 5");
            }
        }
    }

    public record Staging(int expiryDays) {
        public Staging {
            if (expiryDays < 1) {
                throw new IllegalArgumentException("staging.expiryDays must be at least 1");
            }
        }
    }

    /**
     * {@code resetDelay}: how long an admin-assisted second-factor reset waits before it takes effect (docs/recovery.md).
     */
    public record TwoFactor(int maxFailures, int failureWindowMinutes, java.time.Duration resetDelay) {
        public TwoFactor {
            if (resetDelay.isNegative()) {
                throw new IllegalArgumentException("twofactor.resetDelay must not be negative");
            }
        }
    }

    /**
     * An OIDC issuer trusted for trusted publishing. {@code type}: github | gitlab | circleci (which claims identify
     * the pipeline). {@code issuer} is matched exactly, or as a prefix when it ends with {@code *};
     * {@code jwks} may contain {@code {iss}} for the token's issuer.
     */
    public record Issuer(String name, String type, String issuer, String jwks) {
        public Issuer {
            if (!type.equals("github") && !type.equals("gitlab") && !type.equals("circleci")) {
                throw new IllegalArgumentException(
                        "trust.issuers." + name + ".type must be github, gitlab or circleci");
            }
            if (!issuer.matches("https?://\\S+") || !jwks.matches("(https?://|\\{iss\\})\\S+")) {
                throw new IllegalArgumentException("trust.issuers." + name + " needs http(s) issuer and jwks URLs");
            }
        }

        public boolean matches(String iss) {
            return issuer.endsWith("*") ? iss.startsWith(issuer.substring(0, issuer.length() - 1)) : issuer.equals(iss);
        }

        public String jwksFor(String iss) {
            return jwks.replace("{iss}", iss);
        }
    }

    /** {@code bypassMayPublish}: may tokens that bypass 2FA publish directly (where the package policy allows)? */
    public record Tokens(boolean bypassMayPublish) {}

    /**
     * One upstream registry of {@code proxy.upstreams}: its URL, optional bearer {@code token} (sent to its origin
     * only), how long a packument fetched from it is served before it is revalidated, how long to wait for it, and the
     * name patterns it serves ({@code name}, {@code prefix-*}, {@code @scope/*}; empty = every name).
     */
    public record Upstream(String url, String token, int maxAgeSeconds, int timeoutSeconds, List<String> match) {
        public Upstream {
            if (!url.matches("https?://[^/\\s?#]+(/[^\\s?#]*)?")) {
                throw new IllegalArgumentException("an upstream must be an absolute http(s) URL: " + url);
            }
            if (maxAgeSeconds < 0 || timeoutSeconds < 1) {
                throw new IllegalArgumentException(
                        "an upstream's maxAgeSeconds must be 0 or more and its timeoutSeconds at least 1: " + url);
            }
            match = List.copyOf(match);
        }

        /** Never the token: configurations are logged and printed. */
        @Override
        public String toString() {
            return "Upstream[" + url + (token == null || token.isEmpty() ? "" : ", token set") + ", match=" + match
                    + "]";
        }
    }

    /**
     * The upstream registries that names which do not exist here are fetched from: either one, {@code upstream} (with
     * its optional {@code token}; empty = no proxy), or the list {@code upstreams}, each with the name patterns it
     * serves (never both). {@code maxAgeSeconds} (how long a fetched packument is served before it is revalidated) and
     * {@code timeoutSeconds} are the defaults of the list's entries. The {@code internal} name patterns are never
     * fetched ({@code @scope/*}, {@code name}, {@code prefix-*}; see docs/proxy.md); the {@code cooldown} upstream
     * versions are hidden for (zero = none) and the name patterns it does not apply to; an upstream 404 is remembered
     * for {@code notFoundSeconds} (0 = not at all). {@code prefetch} threads fetch, ahead of the client, the packuments
     * a freshly fetched one's latest version depends on (0 = none).
     */
    public record Proxy(
            String upstream,
            String token,
            int maxAgeSeconds,
            int timeoutSeconds,
            List<String> internal,
            java.time.Duration cooldown,
            List<String> cooldownExclude,
            List<Upstream> upstreams,
            int notFoundSeconds,
            int prefetch) {
        public Proxy(String upstream, String token, int maxAgeSeconds, int timeoutSeconds, List<String> internal) {
            this(upstream, token, maxAgeSeconds, timeoutSeconds, internal, java.time.Duration.ZERO, List.of());
        }

        public Proxy(
                String upstream,
                String token,
                int maxAgeSeconds,
                int timeoutSeconds,
                List<String> internal,
                java.time.Duration cooldown,
                List<String> cooldownExclude) {
            this(upstream, token, maxAgeSeconds, timeoutSeconds, internal, cooldown, cooldownExclude, List.of(), 60, 4);
        }

        public Proxy {
            if (cooldown.isNegative()) {
                throw new IllegalArgumentException("proxy.cooldown must not be negative");
            }
            cooldownExclude = List.copyOf(cooldownExclude);
            if (!upstream.isEmpty() && !upstream.matches("https?://[^/\\s?#]+(/[^\\s?#]*)?")) {
                throw new IllegalArgumentException("proxy.upstream must be an absolute http(s) URL: " + upstream);
            }
            if (maxAgeSeconds < 0 || timeoutSeconds < 1 || notFoundSeconds < 0) {
                throw new IllegalArgumentException("proxy.maxAgeSeconds and proxy.notFoundSeconds must be 0 or more"
                        + " and proxy.timeoutSeconds at least 1");
            }
            if (prefetch < 0 || prefetch > 64) {
                throw new IllegalArgumentException("proxy.prefetch must be a number of threads from 0 (off) to 64");
            }
            internal = List.copyOf(internal);
            upstreams = List.copyOf(upstreams);
            if (!upstreams.isEmpty() && !upstream.isEmpty()) {
                throw new IllegalArgumentException("Set proxy.upstream (one upstream for every name) or proxy.upstreams"
                        + " (a list, each with the names it serves), not both");
            }
            if (!upstreams.isEmpty() && !token.isEmpty()) {
                throw new IllegalArgumentException("proxy.token goes with proxy.upstream; with proxy.upstreams give"
                        + " each entry its own token");
            }
        }

        /** The upstreams in routing order: the list, or {@code upstream} as one serving every name; empty = no proxy. */
        public List<Upstream> routes() {
            if (!upstreams.isEmpty() || upstream.isEmpty()) {
                return upstreams;
            }
            return List.of(new Upstream(upstream, token, maxAgeSeconds, timeoutSeconds, List.of()));
        }

        public boolean enabled() {
            return !routes().isEmpty();
        }

        /** Never the tokens: configurations are logged and printed. */
        @Override
        public String toString() {
            return "Proxy[" + routes() + ", internal=" + internal + ", cooldown=" + cooldown + "]";
        }
    }

    /**
     * One destination of {@code audit.sinks} (docs/audit.md, "Export"): {@code syslog-tcp} or {@code syslog-tls} to a
     * collector at {@code host:port} (TLS trusts the PEM certificates in {@code caFile}, or the JDK's trust store when
     * empty), or {@code file}: JSON Lines at {@code path}, rotated at {@code maxBytes} keeping {@code keep} old files.
     * {@code name} keys the sink's persisted delivery cursor.
     */
    public record AuditSink(
            String name, String type, String host, int port, String caFile, String path, long maxBytes, int keep) {
        public AuditSink {
            String where = "audit.sinks entry \"" + name + "\"";
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                throw new IllegalArgumentException(
                        "an audit.sinks entry needs a name of letters, digits, '.', '_' or '-': got \"" + name + "\"");
            }
            switch (type == null ? "" : type) {
                case "syslog-tcp", "syslog-tls" -> {
                    if (host == null || host.isBlank() || port < 1 || port > 65535) {
                        throw new IllegalArgumentException(where + " (" + type + ") needs host and port (1..65535)");
                    }
                    if (caFile != null && !caFile.isEmpty() && type.equals("syslog-tcp")) {
                        throw new IllegalArgumentException(
                                where + ": caFile applies to syslog-tls only; use type: syslog-tls for TLS");
                    }
                }
                case "file" -> {
                    if (path == null || path.isBlank()) {
                        throw new IllegalArgumentException(where + " (file) needs a path");
                    }
                    if (maxBytes < 1024 || keep < 1) {
                        throw new IllegalArgumentException(
                                where + " (file): maxBytes must be at least 1024 and keep at least 1");
                    }
                }
                default ->
                    throw new IllegalArgumentException(
                            where + " has type \"" + type + "\"; use syslog-tcp, syslog-tls or file");
            }
        }
    }

    /**
     * The Prometheus endpoint {@code GET /-/metrics} (docs/metrics.md): served only when {@code enabled}; when
     * {@code token} is not empty a scrape must send {@code Authorization: Bearer <token>}.
     */
    public record Metrics(boolean enabled, String token) {
        public static final Metrics OFF = new Metrics(false, "");

        public Metrics {
            token = token == null ? "" : token.trim();
            if (!token.isEmpty() && !token.matches("[\\x21-\\x7e]{16,}")) {
                throw new IllegalArgumentException("metrics.token must be at least 16 printable characters without"
                        + " spaces (e.g. the output of: openssl rand -hex 32)");
            }
        }

        /** Never the token: configurations are logged and printed. */
        @Override
        public String toString() {
            return "Metrics[enabled=" + enabled + (token.isEmpty() ? "" : ", token set") + "]";
        }
    }

    /**
     * What is kept in memory: {@code packumentBytes} bytes of assembled packument bodies (both forms, identity and
     * gzip) at most; 0 keeps none.
     */
    public record Cache(long packumentBytes) {
        public static final Cache DEFAULT = new Cache(32L << 20);

        public Cache {
            if (packumentBytes < 0) {
                throw new IllegalArgumentException("cache.packumentBytes must be 0 (off) or a number of bytes");
            }
        }
    }

    /** A copy whose public URL follows the port actually bound (for --port 0 and tests). */
    public AirlockConfig withBoundPort(int port, boolean publicUrlWasDefault) {
        String url = publicUrlWasDefault ? "http://" + server.host() + ":" + port : server.publicUrl();
        return new AirlockConfig(
                new Server(server.host(), port, url, server.limits()),
                dataDir,
                database,
                blobDir,
                limits,
                auth,
                security,
                staging,
                twoFactor,
                tokens,
                trustedProxies,
                issuers,
                proxy,
                notifications,
                auditSinks,
                metrics,
                alerts,
                provenanceTrustedRoot,
                s3,
                cluster,
                mailCheck,
                cache);
    }
}
