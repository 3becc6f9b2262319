package dev.airlock.metrics;

import dev.airlock.audit.AuditService;
import dev.airlock.shared.AirlockException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToLongBiFunction;

/**
 * The domain counters and the approval latency, from the audit events as they commit ({@link
 * AuditService#onRecorded}): an event exists exactly when its change committed, so nothing is counted for a change
 * that rolled back. Label values are bounded: a factor, a reason class, a kind, a package and its scope.
 */
final class AuditMetrics implements Consumer<AuditService.Recorded> {
    /** Buckets for a 15–30 minute approval SLA, up to a day (a stage expires after staging.expiryDays). */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(15),
        Duration.ofMinutes(20),
        Duration.ofMinutes(30),
        Duration.ofHours(1),
        Duration.ofHours(2),
        Duration.ofHours(6),
        Duration.ofDays(1)
    };

    private final MeterRegistry registry;
    private final Counter rejections;
    private final Counter expiries;
    private final Counter stages;
    private final Counter passwordFailures;
    private final Counter publishedBytes;
    private final ToLongBiFunction<String, String> tarballSize;

    /** {@code tarballSize}: the size of the published tarball of (package, version), read after the commit. */
    AuditMetrics(MeterRegistry registry, ToLongBiFunction<String, String> tarballSize) {
        this.registry = registry;
        this.tarballSize = tarballSize;
        this.rejections = Counter.builder("airlock.rejections")
                .description("Staged versions rejected")
                .register(registry);
        this.expiries = Counter.builder("airlock.stage.expiries")
                .description("Staged versions that expired without enough approvals")
                .register(registry);
        this.stages = Counter.builder("airlock.staged.versions")
                .description("Versions staged (npm stage publish)")
                .register(registry);
        this.passwordFailures = Counter.builder("airlock.password.failures")
                .description("Wrong passwords for existing accounts (login, console sign-in, password checks)")
                .register(registry);
        this.publishedBytes = Counter.builder("airlock.published")
                .baseUnit("bytes")
                .description("Tarball bytes that became installable (direct publishes and approved stages)")
                .register(registry);
        // the labelled series exist from the start, so rate() and absent() see zeros rather than nothing
        for (String f : new String[] {"totp", "webauthn", "recovery-code"}) {
            approvals(f);
        }
        for (String k : new String[] {"direct", "staged"}) {
            publishes(k);
        }
    }

    @Override
    public void accept(AuditService.Recorded e) {
        boolean ok = "success".equals(e.outcome());
        switch (e.action()) {
            case "stage.create" -> {
                if (ok) {
                    stages.increment();
                }
            }
            case "stage.approve" -> {
                if (ok) {
                    approvals(factor(e.detail().get("factor"))).increment();
                }
            }
            case "stage.reject" -> {
                if (ok) {
                    rejections.increment();
                }
            }
            case "stage.expire" -> expiries.increment();
            case "package.publish" -> {
                if (ok) {
                    published(e);
                }
            }
            case "oidc.exchange" -> {
                if (!ok) {
                    Counter.builder("airlock.oidc.exchange.denials")
                            .description("Trusted-publishing exchanges refused, by reason class")
                            .tag(
                                    "reason",
                                    DenialReason.of(String.valueOf(e.detail().get("reason"))))
                            .register(registry)
                            .increment();
                }
            }
            case "tfa.failure", "tfa.confirm" -> wrongCode("wrong");
            case "tfa.replay" -> wrongCode("replayed");
            case "tfa.key-failure" -> wrongCode("security-key");
            case "user.login", "user.password-check", "user.password", "console.sign-in" -> {
                if (!ok && "wrong password".equals(e.detail().get("reason"))) {
                    passwordFailures.increment();
                }
            }
            default -> {}
        }
    }

    private void published(AuditService.Recorded e) {
        boolean staged = "staged".equals(e.detail().get("method"));
        publishes(staged ? "staged" : "direct").increment();
        String pkg = e.target().startsWith("package:") ? e.target().substring(8) : e.target();
        Object version = e.detail().get("version");
        if (version != null) {
            try {
                publishedBytes.increment((double) tarballSize.applyAsLong(pkg, version.toString()));
            } catch (AirlockException gone) {
                // unpublished in the meantime: nothing to count
            }
        }
        Object stagedAt = e.detail().get("stagedAt");
        if (staged && stagedAt != null) {
            long from;
            try {
                from = Instant.parse(stagedAt.toString()).toEpochMilli();
            } catch (DateTimeParseException x) {
                return;
            }
            Timer.builder("airlock.stage.approval.latency")
                    .description("Time from staging to the approval that published the version")
                    .tags("package", pkg, "org", org(pkg))
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry)
                    .record(Duration.ofMillis(Math.max(0, e.at() - from)));
        }
    }

    /** The scope of a package name without its @ (an org, or a user's scope); empty for an unscoped name. */
    static String org(String pkg) {
        int slash = pkg.indexOf('/');
        return pkg.startsWith("@") && slash > 1 ? pkg.substring(1, slash) : "";
    }

    private Counter approvals(String factor) {
        return Counter.builder("airlock.approvals")
                .description("Approvals of staged versions, by the second factor that confirmed them")
                .tag("factor", factor)
                .register(registry);
    }

    private Counter publishes(String kind) {
        return Counter.builder("airlock.publishes")
                .description("Versions that became installable: direct publishes and staged versions approved")
                .tag("kind", kind)
                .register(registry);
    }

    private void wrongCode(String kind) {
        Counter.builder("airlock.wrong.codes")
                .description("Second-factor codes or security-key answers refused")
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    private static String factor(Object f) {
        String s = f == null ? "" : f.toString().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "totp", "webauthn", "recovery-code" -> s;
            default -> "other";
        };
    }
}
