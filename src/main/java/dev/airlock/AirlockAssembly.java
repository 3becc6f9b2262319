package dev.airlock;

import dev.airlock.accounts.AccountsAuthenticator;
import dev.airlock.accounts.UserService;
import dev.airlock.accounts.http.AccountRoutes;
import dev.airlock.adoption.AdoptionService;
import dev.airlock.advisories.AdvisoryRouting;
import dev.airlock.advisories.AdvisoryService;
import dev.airlock.advisories.AdvisorySource;
import dev.airlock.advisories.RegistryAdvisories;
import dev.airlock.advisories.http.AdvisoryRoutes;
import dev.airlock.alerts.AlertService;
import dev.airlock.attestations.ApprovalAttestations;
import dev.airlock.attestations.AttestationService;
import dev.airlock.attestations.TrustedRoot;
import dev.airlock.attestations.http.AttestationRoutes;
import dev.airlock.audit.AuditQueryService;
import dev.airlock.audit.AuditService;
import dev.airlock.audit.export.ExportService;
import dev.airlock.audit.export.http.AuditStreamRoutes;
import dev.airlock.audit.http.AuditRoutes;
import dev.airlock.audit.http.LogRoutes;
import dev.airlock.console.ConsoleService;
import dev.airlock.console.WebLoginService;
import dev.airlock.console.http.AdoptionRoutes;
import dev.airlock.console.http.ConsolePages;
import dev.airlock.console.http.ConsoleRoutes;
import dev.airlock.deprovisioning.DeprovisioningService;
import dev.airlock.imports.ImportService;
import dev.airlock.metrics.Metrics;
import dev.airlock.metrics.http.MetricsRoutes;
import dev.airlock.names.NameService;
import dev.airlock.notifications.NotificationService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.orgs.OrgService;
import dev.airlock.orgs.http.OrgRoutes;
import dev.airlock.packages.BlobSweep;
import dev.airlock.packages.PackageService;
import dev.airlock.packages.Packages;
import dev.airlock.packages.http.PackagePathRoutes;
import dev.airlock.packages.http.PackageRoutes;
import dev.airlock.platform.blob.BlobStore;
import dev.airlock.platform.blob.BlobStores;
import dev.airlock.platform.blob.S3BlobStore;
import dev.airlock.platform.cluster.ClusterNode;
import dev.airlock.platform.cluster.Health;
import dev.airlock.platform.cluster.Invalidations;
import dev.airlock.platform.cluster.Leases;
import dev.airlock.platform.cluster.SharedKeys;
import dev.airlock.platform.cluster.http.HealthRoutes;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.SecretKeys;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Settings;
import dev.airlock.platform.http.HttpServer;
import dev.airlock.platform.http.Route;
import dev.airlock.platform.npm.RegistryClient;
import dev.airlock.policy.PolicyService;
import dev.airlock.policy.http.PolicyRoutes;
import dev.airlock.proxy.ProxyService;
import dev.airlock.publish.PublishService;
import dev.airlock.publish.TarballInspector;
import dev.airlock.publish.http.PublishRoutes;
import dev.airlock.scim.ScimService;
import dev.airlock.scim.http.ScimRoutes;
import dev.airlock.signing.ProxySignatures;
import dev.airlock.signing.RegistrySigner;
import dev.airlock.signing.http.KeysRoutes;
import dev.airlock.sso.SsoService;
import dev.airlock.staging.StagingService;
import dev.airlock.staging.http.StagingRoutes;
import dev.airlock.tokens.TokenService;
import dev.airlock.trust.TrustService;
import dev.airlock.trust.http.TrustRoutes;
import dev.airlock.twofactor.TwoFactorResets;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** The composition root: the only place that wires features together. */
public final class AirlockAssembly implements AutoCloseable {
    private static final long BLOB_GRACE_MS = Duration.ofHours(1).toMillis();
    private static final String PACKUMENTS_BASE = "packuments.base";
    private static final String SIGNED_ALL = "signing.versions";
    private final java.util.concurrent.atomic.AtomicReference<String> packumentBase =
            new java.util.concurrent.atomic.AtomicReference<>();
    public final AirlockConfig config;
    public final Database db;
    public final BlobStore blobs;
    /** This node among those sharing the database, and the leases that make background jobs run once per cluster. */
    public final ClusterNode node;

    public final Leases leases;
    /** Cross-node notice that something a node keeps in memory changed (docs/deployment.md). */
    public final Invalidations invalidations;

    public final AuditService audit;
    /** The audit log's export to a SIEM: the HTTP stream and the configured sinks (docs/audit.md, "Export"). */
    public final ExportService auditExport;
    /** Reading the audit log by filter, for those who may (docs/audit.md, "Query"). */
    public final AuditQueryService auditQuery;

    /** The registry's signing key: every version's dist.signatures, /-/npm/v1/keys (docs/verification.md). */
    public final RegistrySigner signer;

    public final TokenService tokens;
    public final UserService users;
    public final OrgService orgs;
    public final GroupSync groupSync;
    /** Deactivating someone who left (docs/deprovisioning.md): the command line and SCIM share it. */
    public final DeprovisioningService deprovisioning;
    /** SCIM 2.0 provisioning from an identity provider under /scim/v2 (docs/deprovisioning.md, "SCIM"). */
    public final ScimService scim;

    public final PackageService packages;
    /** Every use case of the packages feature ({@link #packages} is its reads). */
    public final Packages packageUseCases;

    public final PublishService publish;
    public final NameService names;
    public final ImportService imports;
    public final BlobSweep sweep;
    private final Clock clock;
    /** The upstream proxy; null when proxy.upstream is not configured. */
    public final ProxyService proxy;
    /** npm audit: the local advisory store, and forwarding to the upstream (docs/advisories.md). */
    public final AdvisoryService advisories;

    public final TwoFactorService twoFactor;
    /** Admin-assisted second-factor resets with a waiting period (docs/recovery.md). */
    public final TwoFactorResets resets;

    public final PolicyService policies;
    public final StagingService staging;
    public final TrustService trust;
    public final ConsoleService console;
    public final WebLoginService webLogin;
    public final SsoService sso;
    /** The notification outbox and its delivery worker (docs/notifications.md). */
    public final NotificationService notifications;
    /** The mail-domain check of the admins' console page (docs/mail-check.md). */
    public final dev.airlock.mailcheck.MailCheckService mailCheck;
    /** Prometheus metrics at /-/metrics (docs/metrics.md); inert unless metrics.enabled. */
    public final Metrics metrics;
    /** The alert rules of {@code alerts.*} (docs/audit.md, "Alerts"). */
    public final AlertService alerts;
    /** The adoption report and the org-wide "require 2FA and staging" action (docs/adoption.md). */
    public final AdoptionService adoption;

    private HttpServer server;
    private ScheduledExecutorService scheduler;

    public AirlockAssembly(AirlockConfig config) {
        this(config, Clock.systemUTC());
    }

    public AirlockAssembly(AirlockConfig config, Clock clock) {
        this.clock = clock;
        this.config = config;
        this.db = Database.open(config.database());
        this.blobs = BlobStores.open(config);
        this.node = ClusterNode.start(config.cluster().nodeId());
        this.leases = Leases.on(db, node.holder());
        this.invalidations = new Invalidations(config.database(), db);
        SharedKeys sharedKeys = new SharedKeys(db);
        NodeKeys.share(config, sharedKeys, db.sqlite());
        this.audit = AuditService.create(
                db,
                clock,
                config.dataDir().resolve("audit-log.key"),
                logOrigin(config.server().base()));
        this.auditExport = ExportService.create(db, clock, audit, config.auditSinks(), config.dataDir());
        // Tarball URLs in stored packuments start with the public URL of the server that serves this data directory:
        // a command run beside it (./airlock import) writes that one, whatever its own configuration says
        String served = new Settings(db).get(PACKUMENTS_BASE);
        packumentBase.set(
                served != null
                        ? served.substring(0, served.indexOf('|'))
                        : config.server().base());
        SecretBox secrets = new SecretBox(SecretKeys.load(config));
        this.twoFactor = TwoFactorService.create(
                db,
                secrets,
                audit,
                clock,
                config.twoFactor().maxFailures(),
                config.twoFactor().failureWindowMinutes(),
                config.server().base(),
                config.server().consoleUrl());
        this.tokens = TokenService.create(
                db, audit, clock, Duration.ofDays(config.auth().sessionDays()));
        this.users = UserService.create(
                db,
                tokens,
                audit,
                clock,
                config.auth().allowSignup(),
                twoFactor,
                config.auth().maxPasswordFailures(),
                config.auth().passwordFailureWindowMinutes());
        users.passwordSignIn(config.auth().passwordSignIn());
        this.orgs = OrgService.create(db, audit, clock);
        this.groupSync = GroupSync.create(db, audit, config.auth().groups());
        users.directory(dev.airlock.ldap.LdapSignIn.create(
                db, users, audit, groupSync, clock, config.auth().ldap()));
        String signingKey = config.security().signingKeyFile();
        this.signer = RegistrySigner.create(
                db,
                audit,
                clock,
                signingKey.isEmpty()
                        ? config.dataDir().resolve("signing.key")
                        : java.nio.file.Path.of(signingKey).toAbsolutePath(),
                !signingKey.isEmpty());
        this.packageUseCases = Packages.create(
                db,
                blobs,
                orgs,
                audit,
                clock,
                packumentBase::get,
                config.auth().anonymousRead(),
                signer,
                config.cache().packumentBytes());
        this.packages = packageUseCases.reads();
        this.policies = PolicyService.create(
                db,
                orgs,
                audit,
                clock,
                twoFactor,
                packages,
                config.tokens().bypassMayPublish(),
                config.server().consoleUrl());
        this.names = NameService.create(db, packages, audit, clock);
        this.auditQuery = new AuditQueryService(db, audit, new AuditReaders(db, users, orgs, packageUseCases), clock);
        TarballInspector inspector = new TarballInspector(
                config.limits().maxUnpackedBytes(), config.limits().maxEntries());
        this.imports = new ImportService(
                packageUseCases.imports(), blobs, inspector, config.limits().maxTarballBytes(), clock);
        this.publish = new PublishService(
                packageUseCases.versions(),
                users,
                blobs,
                inspector,
                config.limits().maxTarballBytes(),
                policies.gate(),
                names,
                AttestationService.create(
                        db, packages, policies, TrustedRoot.load(config.provenanceTrustedRoot()), clock, audit));
        // every version that becomes visible gets its approval attestation, in the same transaction
        packageUseCases
                .versions()
                .onRelease(new ApprovalAttestations(
                        db, publish.attestations(), signer, policies, packages, packumentBase::get));
        this.mailCheck = dev.airlock.mailcheck.MailCheckService.create(config.mailCheck(), db);
        this.notifications = NotificationService.create(
                db,
                config.notifications(),
                audit,
                clock,
                config.server().base().replaceFirst("^[a-zA-Z]+://", ""),
                config.server().consoleUrl() + "/-/console",
                user -> {
                    var u = users.find(user);
                    return u == null ? null : u.email();
                },
                user -> {
                    var u = users.find(user);
                    return u != null && u.admin();
                },
                node.holder());
        this.resets = TwoFactorResets.create(
                db, twoFactor, notifications, audit, clock, config.twoFactor().resetDelay());
        this.staging = StagingService.create(
                db,
                packages,
                packageUseCases.versions(),
                publish,
                policies,
                audit,
                clock,
                Duration.ofDays(config.staging().expiryDays()),
                notifications);
        this.metrics = Metrics.create(config.metrics(), audit, staging, packages, db::retries);
        this.alerts = AlertService.create(
                db,
                audit,
                notifications,
                staging,
                packages,
                () -> users.list().stream()
                        .filter(dev.airlock.accounts.User::admin)
                        .map(dev.airlock.accounts.User::name)
                        .toList(),
                config.alerts(),
                clock);
        this.trust = TrustService.create(
                db,
                policies.gate(),
                tokens,
                audit,
                config.issuers(),
                clock,
                config.server().base());
        this.console = ConsoleService.create(db, users, twoFactor, audit, clock);
        this.adoption = new AdoptionService(db, orgs, policies, twoFactor, clock);
        this.webLogin = WebLoginService.create(db, users, secrets, clock);
        this.sso = SsoService.create(
                db,
                users,
                audit,
                groupSync,
                secrets,
                clock,
                config.server().consoleUrl(),
                config.auth().oidc(),
                config.auth().passwordSignIn());
        if (!config.auth().oidc().isEmpty()) {
            // people linked to a provider trusted for presence approve with a fresh re-authentication there too
            twoFactor.confirmsElsewhere(user -> !sso.presenceProviders(user).isEmpty());
        }
        this.deprovisioning =
                new DeprovisioningService(db, users, tokens, console, webLogin, orgs, groupSync, audit, clock);
        this.scim = new ScimService(
                db, users, deprovisioning, groupSync, clock, config.server().base());
        this.proxy = ProxyService.create(
                config.proxy(),
                db,
                blobs,
                packages,
                config.dataDir().resolve("tmp"),
                config.limits().maxTarballBytes(),
                config.auth().anonymousRead(),
                orgs::scopeOwner,
                packumentBase::get,
                clock,
                audit,
                new ProxySignatures(signer));
        this.advisories = AdvisoryService.create(
                db,
                packages,
                advisoryRouting(proxy),
                audit,
                clock,
                config.auth().anonymousRead());
        this.sweep = sweep(Duration.ofMillis(BLOB_GRACE_MS));
        if (!db.sqlite() && signingKey.isEmpty()) {
            // a rotation on any node (or by ./airlock keys rotate) becomes every node's key
            java.nio.file.Path keyFile = config.dataDir().resolve("signing.key");
            signer.onRotated(f -> {
                sharedKeys.publish(NodeKeys.SIGNING, f);
                invalidations.publish("signing.key");
            });
            invalidations.subscribe("signing.key", () -> sharedKeys.refresh(NodeKeys.SIGNING, keyFile));
        }
        // every node forgets a package's packuments held in memory once a change to it commits (on this node at once)
        packages.onChange(name -> {
            if (!db.sqlite()) {
                invalidations.publish("packument", name);
            }
        });
        invalidations.subscribe("packument", packages::forget);
        if (proxy != null) {
            proxy.onPurged(() -> invalidations.publish("proxy.misses"));
            invalidations.subscribe("proxy.misses", proxy::forgetMisses);
        }
    }

    /**
     * The audit log's name in its checkpoints, from the public URL when the key is first made: {@code
     * registry.example.com/audit}. The key file keeps it afterwards, so moving the server does not rename the log.
     */
    static String logOrigin(String base) {
        String host = base.replaceFirst("^[a-zA-Z]+://", "").replaceAll("/+$", "");
        return host.replaceAll("[^A-Za-z0-9._:/-]", "-") + "/audit";
    }

    /**
     * Where npm audit's questions about a name go besides the local store: the upstream the proxy routes the name to
     * (one source per upstream, so the service sends each upstream one request). Names the proxy never fetches
     * (internal names, local org and user scopes, names no upstream matches) and, decided in AdvisoryService, local
     * packages are never sent upstream.
     */
    private static AdvisoryRouting advisoryRouting(ProxyService proxy) {
        if (proxy == null) {
            return AdvisoryRouting.none();
        }
        Map<RegistryClient, AdvisorySource> sources = new ConcurrentHashMap<>();
        return name -> proxy.clientFor(name.toString())
                .map(c -> sources.computeIfAbsent(c, RegistryAdvisories::new))
                .orElse(null);
    }

    /** Starts the HTTP server; returns the bound port. */
    public int serve() {
        Settings settings = new Settings(db);
        // the stored format changes (e.g. gzip copies) and the public URL both require rebuilt packuments
        String base = config.server().base() + "|format=3";
        packumentBase.set(config.server().base());
        if (!base.equals(settings.get(PACKUMENTS_BASE))) {
            // tarball URLs inside stored packuments follow the public URL: rebuild them when it changed
            packageUseCases.versions().rebuildAll();
            settings.put(PACKUMENTS_BASE, base);
        }
        if (settings.get(SIGNED_ALL) == null) {
            // versions published before registry signatures existed are signed once
            packageUseCases.versions().signUnsigned(100);
            settings.put(SIGNED_ALL, "done");
        }
        server = new HttpServer(
                        config.server().host(),
                        config.server().port(),
                        config.server().limits(),
                        config.limits().maxBodyBytes(),
                        config.dataDir().resolve("tmp"),
                        config.trustedProxies(),
                        new AccountsAuthenticator(users, tokens),
                        List.of(
                                new HealthRoutes(new Health(db, blobs, node.holder())),
                                new MetricsRoutes(metrics),
                                new AccountRoutes(users, tokens, twoFactor, policies.gate()),
                                new dev.airlock.tokens.http.TokenIntrospectionRoutes(tokens),
                                new OrgRoutes(orgs, policies.gate()),
                                new PolicyRoutes(policies),
                                new StagingRoutes(staging),
                                new TrustRoutes(trust, policies.gate()),
                                new ConsoleRoutes(
                                                console,
                                                staging,
                                                packages,
                                                new ConsolePages(tokens, twoFactor, orgs, policies, users, resets),
                                                webLogin,
                                                twoFactor,
                                                config.server().base(),
                                                config.server().consoleUrl(),
                                                policies,
                                                notifications,
                                                auditQuery,
                                                mailCheck)
                                        .withSso(sso),
                                new AdoptionRoutes(
                                        console,
                                        adoption,
                                        twoFactor,
                                        config.server().consoleUrl()),
                                new LogRoutes(audit, config.auth().anonymousRead()),
                                new KeysRoutes(signer, proxy == null ? List::of : proxy::upstreamKeys),
                                new AuditStreamRoutes(auditExport, this::isAdmin),
                                new AuditRoutes(auditQuery),
                                new PackageRoutes(packageUseCases, orgs, policies),
                                new PublishRoutes(publish, packageUseCases, policies.gate()),
                                new AttestationRoutes(publish.attestations()),
                                new AdvisoryRoutes(advisories, config.limits().maxBodyBytes()),
                                new ScimRoutes(scim, config.server().base()),
                                new PackagePathRoutes(packageUseCases, policies.gate(), proxy)))
                .start();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-maintenance");
            t.setDaemon(true);
            return t;
        });
        invalidations.start();
        // each job runs once per period across the nodes sharing the database (a lease per job; none on SQLite)
        every("blob-sweep", sweep::sweep, 1, 60, TimeUnit.MINUTES);
        // entries are placed in the log within a second, and a checkpoint is signed each minute the log grew
        every("audit-integrate", audit::integrate, 1, 1, TimeUnit.SECONDS);
        every("audit-checkpoint", audit::checkpoint, 5, 60, TimeUnit.SECONDS);
        every("staging-expire", staging::expire, 1, 1, TimeUnit.MINUTES);
        // a second-factor reset takes effect once, on one node, when its waiting period is over
        every("tfa-reset-apply", resets::applyDue, 1, 1, TimeUnit.MINUTES);
        if (!config.auth().oidc().isEmpty()) {
            // a lapsed single sign-on (auth.oidc.NAME.maxSessionAge) is recorded within seconds
            every("sso-lapses", sso::recordLapses, 5, 5, TimeUnit.SECONDS);
        }
        every(
                "alerts-evaluate",
                alerts::evaluate,
                alerts.intervalSeconds(),
                alerts.intervalSeconds(),
                TimeUnit.SECONDS);
        // each delivery is claimed by one node (notification_deliveries.claimed_by); each sink has a lease
        notifications.start();
        auditExport.start(leases, Duration.ofSeconds(config.cluster().leaseSeconds()));
        every(
                "failure-purge",
                () -> {
                    users.purgePasswordFailures();
                    twoFactor.totp().purgeFailures();
                },
                10,
                10,
                TimeUnit.MINUTES);
        return server.port();
    }

    /** An orphan sweep that spares blobs younger than {@code grace} ({@code ./airlock blobs sweep}). */
    public BlobSweep sweep(Duration grace) {
        return new BlobSweep(
                () -> {
                    java.util.Set<String> kept = new java.util.HashSet<>(packages.referencedBlobs());
                    if (proxy != null) {
                        kept.addAll(proxy.referencedBlobs());
                    }
                    return kept;
                },
                key -> packages.referencesBlob(key) || (proxy != null && proxy.referencesBlob(key)),
                blobs,
                clock,
                grace.toMillis());
    }

    /** A registry administrator acting as themself (never through a token from a trusted-publishing exchange). */
    private boolean isAdmin(dev.airlock.shared.Actor actor) {
        if (!actor.authenticated() || actor.trustedPublishing()) {
            return false;
        }
        dev.airlock.accounts.User u = users.find(actor.user());
        return u != null && u.admin();
    }

    /** The route table of the running server (see {@code airlock routes}). */
    public List<Route> routes() {
        return server.routes();
    }

    /**
     * Runs a maintenance job periodically. A failure is logged and the job runs again next time (a periodic task
     * that throws is never run again, and its exception sits unseen in the future); close() cancels the jobs.
     */
    private void every(String name, Runnable job, long initialDelay, long delay, TimeUnit unit) {
        Runnable once = leases.once(name, Duration.of(delay, unit.toChronoUnit()), job);
        Future<?> unused = scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        once.run();
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(AirlockAssembly.class)
                                .error("maintenance job failed; it runs again later", e);
                    }
                },
                initialDelay,
                delay,
                unit);
    }

    @Override
    public void close() {
        // first stop taking requests and let those in flight finish, while what they use is still open
        if (server != null) {
            server.close();
        }
        auditExport.close();
        invalidations.close();
        if (scheduler != null) {
            scheduler.shutdownNow();
            // a job already running finishes before the database it writes to closes
            try {
                if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                    LoggerFactory.getLogger(AirlockAssembly.class).warn("a maintenance job did not stop in 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        notifications.close();
        if (proxy != null) {
            proxy.stop();
        }
        metrics.close();
        db.close();
        if (blobs instanceof S3BlobStore s3) {
            s3.close();
        }
    }
}
