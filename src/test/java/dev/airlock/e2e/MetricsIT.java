package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint (docs/metrics.md) with the real npm 11.19.1 CLI: a pipeline stages, a maintainer approves
 * with a code after a known wait (the registry's clock), and the scrape shows the approval latency histogram, what
 * waits, approvals by factor, wrong codes and requests by route family. The scrape passes promtool's parser and lint.
 */
class MetricsIT {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;

    @Test
    void theScrapeShowsApprovalLatencyPendingStagesAndRequestsByFamily() throws Exception {
        MutableClock clock = new MutableClock();
        try (TestRegistry registry =
                TestRegistry.start(Map.of("metrics.enabled", "true", "metrics.token", TOKEN), clock)) {
            String aliceToken = registry.userWithToken("alice");
            Authenticator app = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
            Npm alice = Npm.withToken(tmp.resolve("alice"), registry.url(), aliceToken);
            Cli.Result created =
                    ok(alice.run(tmp, "token", "create", "--password=alice-password", "--otp=" + app.next()));
            Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(created.stdout());
            assertThat(m.find()).as(created.toString()).isTrue();
            Npm ci = Npm.withToken(tmp.resolve("ci"), registry.url(), m.group(1));
            registry.createOrg("acme", "alice");

            String scoped = stage(ci, pkg("scoped", "{\"name\":\"@acme/lat\",\"version\":\"1.0.0\"}"), true);
            clock.advance(Duration.ofMinutes(5));
            String plain = stage(ci, pkg("plain", "{\"name\":\"plain\",\"version\":\"1.0.0\"}"), false);

            Scrape before = scrape(registry);
            assertThat(before.value("airlock_stages_pending")).isEqualTo(2);
            // the registry's clock ticks with real time too: the waits below are known to within the time npm takes
            assertThat(before.value("airlock_stage_oldest_pending_age_seconds")).isBetween(300.0, 420.0);
            assertThat(before.value("airlock_staged_versions_total")).isEqualTo(2);
            assertThat(before.value("airlock_approvals_total", "factor", "totp"))
                    .isZero();
            // one npm client at a time never conflicts: the database's retried writes are exported and still 0
            assertThat(before.value("airlock_db_write_retries_total")).isZero();

            // a wrong code is refused and counted; then the approval 15.5 minutes after staging
            clock.advance(Duration.ofSeconds(630));
            fails(alice.run(tmp, "stage", "approve", scoped, "--otp=000000"), "");
            ok(alice.run(tmp, "stage", "approve", scoped, "--otp=" + app.next()));
            clock.advance(Duration.ofMinutes(25));
            ok(alice.run(tmp, "stage", "approve", plain, "--otp=" + app.next()));
            assertThat(registry.http.get("plain", null).status()).isEqualTo(200);
            int tarballs = registry.http.bytes("plain/-/plain-1.0.0.tgz", null).length
                    + registry.http.bytes("@acme/lat/-/lat-1.0.0.tgz", null).length;

            Scrape s = scrape(registry);
            String latency = "airlock_stage_approval_latency_seconds";
            // @acme/lat waited 15.5 minutes (930 s, plus the seconds npm took): in the 1200 s bucket, not the 900 s one
            assertThat(s.value(latency + "_count", "org", "acme", "package", "@acme/lat"))
                    .isEqualTo(1);
            assertThat(s.value(latency + "_sum", "org", "acme", "package", "@acme/lat"))
                    .isBetween(930.0, 1200.0);
            assertThat(s.value(latency + "_bucket", "le", "900.0", "org", "acme", "package", "@acme/lat"))
                    .isZero();
            assertThat(s.value(latency + "_bucket", "le", "1200.0", "org", "acme", "package", "@acme/lat"))
                    .isEqualTo(1);
            // plain waited 35.5 minutes (2130 s): past the 1800 s bucket, within the hour; an unscoped name has org ""
            assertThat(s.value(latency + "_sum", "org", "", "package", "plain")).isBetween(2130.0, 3600.0);
            assertThat(s.value(latency + "_bucket", "le", "1800.0", "org", "", "package", "plain"))
                    .isZero();
            assertThat(s.value(latency + "_bucket", "le", "3600.0", "org", "", "package", "plain"))
                    .isEqualTo(1);
            assertThat(s.value(latency + "_bucket", "le", "+Inf", "org", "", "package", "plain"))
                    .isEqualTo(1);

            assertThat(s.value("airlock_stages_pending")).isZero();
            assertThat(s.value("airlock_stage_oldest_pending_age_seconds")).isZero();
            assertThat(s.value("airlock_approvals_total", "factor", "totp")).isEqualTo(2);
            assertThat(s.value("airlock_approvals_total", "factor", "webauthn")).isZero();
            assertThat(s.value("airlock_wrong_codes_total", "kind", "wrong")).isEqualTo(1);
            assertThat(s.value("airlock_publishes_total", "kind", "staged")).isEqualTo(2);
            assertThat(s.value("airlock_publishes_total", "kind", "direct")).isZero();
            assertThat(s.value("airlock_published_bytes_total")).isEqualTo(tarballs);
            assertThat(s.value("airlock_reads_total", "kind", "tarball")).isEqualTo(2);
            assertThat(s.value("airlock_served_bytes_total", "kind", "tarball")).isEqualTo(tarballs);
            assertThat(s.value("airlock_reads_total", "kind", "packument")).isGreaterThanOrEqualTo(1);
            // requests by family: npm's stage publish and approvals, the scrape itself
            assertThat(s.value(
                            "airlock_http_server_requests_seconds_count",
                            "family",
                            "stage",
                            "method",
                            "POST",
                            "status",
                            "2xx"))
                    .isGreaterThanOrEqualTo(4);
            assertThat(s.value(
                            "airlock_http_server_requests_seconds_count",
                            "family",
                            "stage",
                            "method",
                            "POST",
                            "status",
                            "4xx"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(s.value(
                            "airlock_http_server_requests_seconds_count",
                            "family",
                            "metrics",
                            "method",
                            "GET",
                            "status",
                            "2xx"))
                    .isEqualTo(1);
            assertThat(s.value(
                            "airlock_http_server_requests_seconds_count",
                            "family",
                            "tarball",
                            "method",
                            "GET",
                            "status",
                            "2xx"))
                    .isEqualTo(2);
            assertThat(s.text)
                    .contains("jvm_memory_used_bytes{", "process_uptime_seconds ", "jvm_threads_live_threads ");
            // a real parser and linter of the exposition format
            promtoolAccepts(s.text);

            // a rejection, an expiry, a wrong password and a refused trusted-publishing exchange
            String doomed = stage(ci, pkg("doomed", "{\"name\":\"doomed\",\"version\":\"1.0.0\"}"), false);
            ok(alice.run(tmp, "stage", "reject", doomed, "--otp=" + app.next()));
            registry.stage(m.group(1), "stale", "1.0.0", false);
            Http.Response wrong = registry.http.put(
                    "-/user/org.couchdb.user:alice", null, "{\"name\":\"alice\",\"password\":\"nope\"}");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(registry.http
                            .post("-/npm/v1/oidc/token/exchange/package/plain", "not-a-jwt", "{}")
                            .status())
                    .isEqualTo(401);
            Scrape waiting = scrape(registry);
            assertThat(waiting.value("airlock_stages_pending")).isEqualTo(1);
            clock.advance(Duration.ofDays(8));
            assertThat(registry.airlock.staging.expire()).isEqualTo(1);

            Scrape after = scrape(registry);
            assertThat(after.value("airlock_rejections_total")).isEqualTo(1);
            assertThat(after.value("airlock_stage_expiries_total")).isEqualTo(1);
            assertThat(after.value("airlock_stages_pending")).isZero();
            assertThat(after.value("airlock_staged_versions_total")).isEqualTo(4);
            assertThat(after.value("airlock_password_failures_total")).isEqualTo(1);
            assertThat(after.value("airlock_oidc_exchange_denials_total", "reason", "malformed"))
                    .isEqualTo(1);
            // refusals are counted by what they are, not as approvals or publishes
            assertThat(after.value("airlock_approvals_total", "factor", "totp")).isEqualTo(2);
            assertThat(after.value("airlock_publishes_total", "kind", "staged")).isEqualTo(2);
            assertThat(after.value(
                            "airlock_http_server_requests_seconds_count",
                            "family",
                            "trust",
                            "method",
                            "POST",
                            "status",
                            "4xx"))
                    .isEqualTo(1);
            promtoolAccepts(after.text);
        }
    }

    @Test
    void aScrapeNeedsTheTokenAndTheEndpointIsAbsentWhenOff() {
        try (TestRegistry registry = TestRegistry.start(Map.of("metrics.enabled", "true", "metrics.token", TOKEN))) {
            Http.Response none = registry.http.get("-/metrics", null);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.error()).contains("metrics.token");
            assertThat(none.body()).doesNotContain(TOKEN);
            assertThat(registry.http.get("-/metrics", "wrong-token-0123456789").status())
                    .isEqualTo(401);
            assertThat(registry.http.get("-/metrics", TOKEN.substring(1)).status())
                    .isEqualTo(401);
            Http.Response good = registry.http.get("-/metrics", TOKEN);
            assertThat(good.status()).isEqualTo(200);
            assertThat(good.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(registry.airlock.config.toString()).doesNotContain(TOKEN);
        }
        try (TestRegistry off = TestRegistry.start()) {
            Http.Response r = off.http.get("-/metrics", TOKEN);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.error()).isEqualTo("Not found");
        }
    }

    private Path pkg(String dir, String json) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        Files2.write(d.resolve("package.json"), json);
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    private static String stage(Npm ci, Path dir, boolean scoped) {
        Cli.Result r = scoped
                ? ok(ci.run(dir, "stage", "publish", "--access", "public"))
                : ok(ci.run(dir, "stage", "publish"));
        Matcher m = StagedPublishIT.STAGE_ID.matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    private static Scrape scrape(TestRegistry registry) {
        Http.Response r = registry.http.get("-/metrics", TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new Scrape(r.body());
    }

    /** Runs promtool check metrics on the exposition: it must parse, and lint must find nothing. */
    static void promtoolAccepts(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("promtool", "check", "metrics")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics: " + out).isZero();
        assertThat(out.strip()).as("promtool lint problems").isEmpty();
    }

    /** A scrape's samples: {@code name{labels} value} lines. */
    record Scrape(String text) {
        /** The value of the one sample named {@code name} whose labels include the given pairs. */
        double value(String name, String... labels) {
            Double found = null;
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                    continue;
                }
                boolean all = true;
                for (int i = 0; i < labels.length; i += 2) {
                    all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
                }
                if (all) {
                    assertThat(found)
                            .as("more than one sample matches " + name + " " + String.join(",", labels))
                            .isNull();
                    found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            assertThat(found)
                    .as("a sample " + name + " " + String.join(",", labels) + " in\n" + text)
                    .isNotNull();
            return found;
        }
    }
}
