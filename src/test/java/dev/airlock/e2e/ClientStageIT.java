package dev.airlock.e2e;

import static dev.airlock.testing.Expect.fails;
import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.Http;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staged publishing through the stage commands of the other pinned clients: pnpm 12.21.0 ({@code pnpm stage publish
 * | list | view | download | approve | reject}) and yarn berry 4.18.1 ({@code yarn npm publish --staged}, {@code yarn
 * npm stage list | approve | reject}; berry has no view or download). Yarn classic and bun have no stage commands.
 *
 * <p>What they send, captured with a logging proxy in front of Airlock, is npm's wire contract
 * (docs/npm-protocol.md, "Staged publishing") with small differences the server accepts as they are:
 * <ul>
 * <li>pnpm sends {@code npm-command: stage} and {@code npm-auth-type: web} like npm, but no pre-check GET of the
 * packument before staging; approving one id sends only the POST, approving several first GETs each stage item and
 * its tarball (pnpm orders a batch by workspace dependencies).
 * <li>berry sends no {@code npm-command} header at all and an approve POST with {@code content-length: 0}.
 * <li>Both post the staged body to {@code /-/stage/package/@scope%2fname} for a scoped package.
 * <li>Both list with {@code GET /-/stage?page=0&perPage=100[&package=<url-encoded name>]}, {@code @} and {@code /} of
 * a scope percent-encoded, and page like npm (stop at {@code total} or a short page).
 * <li>Both pass {@code --otp} as {@code npm-otp}. Without it, on the registry's 401 + {@code WWW-Authenticate: OTP}
 * and with no terminal to prompt on, each fails with its own "not interactive" error and never shows the server's
 * message (checked below: nothing is approved or rejected). With a wrong code berry says "Invalid OTP token"; pnpm
 * gives the same "not interactive" error as without one.
 * </ul>
 * Each client runs as a user would set it up: its own throwaway HOME whose {@code ~/.npmrc} (pnpm) or
 * {@code ~/.yarnrc.yml} (berry) names Airlock and holds the token, so package directories hold no credentials.
 */
class ClientStageIT {
    static final Pattern PNPM_STAGED = Pattern.compile("\\(staged with id ([0-9a-f-]{36})\\)");
    static final Pattern BERRY_STAGED = Pattern.compile("run yarn npm stage approve ([0-9a-f-]{36}) to approve");
    static final String PNPM_NO_OTP = "ERR_PNPM_OTP_NON_INTERACTIVE";
    static final String BERRY_NO_OTP =
            "YN0033: The registry requires additional authentication, but Yarn is not running in an interactive terminal";
    static TestRegistry registry;
    static String aliceToken;
    static String ciToken;
    static Authenticator aliceApp;
    static Authenticator bobApp;
    static Authenticator carolApp;
    static Pnpm alicePnpm;
    static Pnpm ciPnpm;
    static Pnpm bobPnpm;
    static Pnpm carolPnpm;
    static Berry aliceBerry;
    static Berry ciBerry;
    static Berry bobBerry;
    static Berry carolBerry;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        aliceToken = registry.userWithToken("alice");
        String bobToken = registry.userWithToken("bob");
        String carolToken = registry.userWithToken("carol");
        aliceApp = registry.enableTwoFactor("alice", aliceToken, "auth-and-writes");
        bobApp = registry.enableTwoFactor("bob", bobToken, "auth-and-writes");
        carolApp = registry.enableTwoFactor("carol", carolToken, "auth-and-writes");
        registry.createOrg("acme", "alice");
        registry.createOrg("duo", "alice");

        Npm npm = Npm.withToken(tmp.resolve("npm-alice"), registry.url(), aliceToken);
        // alice's pipeline holds an automation token (made with the real npm CLI: password + code)
        Cli.Result created =
                ok(npm.run(tmp, "token", "create", "--password=alice-password", "--otp=" + aliceApp.next()));
        Matcher m = Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(created.stdout());
        assertThat(m.find()).as(created.toString()).isTrue();
        ciToken = m.group(1);
        // @duo packages need two approvals from people other than the stager
        ok(npm.run(tmp, "org", "set", "duo", "bob", "admin", "--otp=" + aliceApp.next()));
        ok(npm.run(tmp, "org", "set", "duo", "carol", "admin", "--otp=" + aliceApp.next()));
        Http.Response set = registry.http.send(
                "PUT", "-/airlock/v1/policy/org/duo", aliceToken, "{\"approvals\":2}", "npm-otp", aliceApp.next());
        assertThat(set.status()).as(set.body()).isEqualTo(200);

        alicePnpm = Pnpm.as("alice", aliceToken);
        ciPnpm = Pnpm.as("ci", ciToken);
        bobPnpm = Pnpm.as("bob", bobToken);
        carolPnpm = Pnpm.as("carol", carolToken);
        aliceBerry = Berry.as("alice", aliceToken);
        ciBerry = Berry.as("ci", ciToken);
        bobBerry = Berry.as("bob", bobToken);
        carolBerry = Berry.as("carol", carolToken);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- pnpm

    @Test
    void pnpmStagesListsViewsDownloadsApprovesAndRejects() {
        Path d = pkg("pn-gated", "pn-gated", "1.0.0");
        // a plain publish needs the code too; pnpm passes --otp as npm-otp
        fails(alicePnpm.run(d, "publish", "--no-git-checks"), PNPM_NO_OTP);
        ok(alicePnpm.run(d, "publish", "--no-git-checks", "--otp", aliceApp.next()));
        String before = registry.http.get("pn-gated", null).body();

        version(d, "pn-gated", "1.1.0");
        Cli.Result staged = ok(alicePnpm.run(d, "stage", "publish", "--no-git-checks"));
        assertThat(staged.stdout())
                .contains("Staged package pn-gated@1.1.0")
                .contains("+ pn-gated@1.1.0 (staged with id ");
        String id = id(PNPM_STAGED, staged);
        assertInvisible("pn-gated", "1.1.0", before);
        Path early = consumer(tmp.resolve("pnpm-consumer-early"), "pn-gated", "1.1.0");
        fails(alicePnpm.install(early), "ERR_PNPM_NO_MATCHING_VERSION");

        // list (all, and filtered with --json), view, download: npm's labels, pnpm's own download summary
        assertThat(ok(alicePnpm.run(tmp, "stage", "list")).stdout())
                .contains(
                        "id: " + id,
                        "package name: pn-gated",
                        "version: 1.1.0",
                        "staged by: alice (user)",
                        "approvals: 0/1");
        JsonNode listed = Json.parse(
                ok(alicePnpm.run(tmp, "stage", "list", "pn-gated", "--json")).stdout());
        assertThat(listed.size()).as(listed.toString()).isEqualTo(1);
        assertThat(listed.get(0).path("id").asText()).isEqualTo(id);
        String shasum = listed.get(0).path("shasum").asText();
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", id)).stdout())
                .contains("version: 1.1.0", "tag: latest", "shasum: " + shasum, "state: pending");
        Path downloads = tmp.resolve("pnpm-downloads");
        Cli.Result downloaded = ok(alicePnpm.run(downloads, "stage", "download", id));
        assertThat(downloaded.stdout()).contains("package: pn-gated@1.1.0", "shasum: " + shasum);
        Path tgz = downloads.resolve("pn-gated-1.1.0-" + id + ".tgz");
        assertThat(sha1(read(tgz))).isEqualTo(shasum);
        // someone who does not maintain it gets the same 404 as for an unknown id
        fails(bobPnpm.run(tmp, "stage", "view", id), "(status 404 Not Found)", "Staged package " + id + " not found.");
        fails(alicePnpm.run(tmp, "stage", "view", "not-a-uuid"), "stage-id must be a valid UUID");

        // no code: pnpm cannot prompt (no terminal) and fails; nothing is approved
        Cli.Result noOtp = fails(alicePnpm.run(tmp, "stage", "approve", id), PNPM_NO_OTP);
        assertThat(noOtp.all()).doesNotContain("approved and published");
        fails(alicePnpm.run(tmp, "stage", "approve", id, "--otp", wrongCode(aliceApp)), PNPM_NO_OTP);
        assertInvisible("pn-gated", "1.1.0", before);
        fails(bobPnpm.run(tmp, "stage", "approve", id, "--otp", bobApp.next()), "(status 404 Not Found)");
        Cli.Result approved = ok(alicePnpm.run(tmp, "stage", "approve", id, "--otp", aliceApp.next()));
        assertThat(approved.stdout()).contains("Staged package " + id + " approved and published successfully.");

        assertVisible("pn-gated", "1.1.0", tgz);
        Path consumer = consumer(tmp.resolve("pnpm-consumer"), "pn-gated", "1.1.0");
        ok(alicePnpm.install(consumer));
        assertThat(Files2.read(consumer.resolve("node_modules/pn-gated/package.json")))
                .contains("\"1.1.0\"");
        assertThat(ok(alicePnpm.run(tmp, "stage", "list", "pn-gated")).stdout())
                .contains("No staged versions of package name \"pn-gated\"");
        // a decided stage cannot be approved again; pnpm shows the status and the server's reason
        fails(
                alicePnpm.run(tmp, "stage", "approve", id, "--otp", aliceApp.next()),
                "Failed to approve staged package " + id + " (status 409 Conflict)",
                "cannot be approved: it is approved.");

        // reject: pnpm warns first; without a code it fails and the stage stays; with one it is gone
        version(d, "pn-gated", "1.2.0");
        String doomed = id(PNPM_STAGED, ok(alicePnpm.run(d, "stage", "publish", "--no-git-checks")));
        Cli.Result unconfirmed = fails(alicePnpm.run(tmp, "stage", "reject", doomed), PNPM_NO_OTP);
        assertThat(unconfirmed.stdout()).contains("Rejecting will permanently delete this staged publish record");
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", doomed)).stdout()).contains("state: pending");
        Cli.Result rejected = ok(alicePnpm.run(tmp, "stage", "reject", doomed, "--otp", aliceApp.next()));
        assertThat(rejected.stdout()).contains("Staged package " + doomed + " has been rejected.");
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", doomed)).stdout()).contains("state: rejected");
        assertThat(registry.http.get("pn-gated", null).body()).doesNotContain("1.2.0");
        // the number is free again; --json carries the new stage id (after pnpm's progress lines on stdout)
        String out = ok(alicePnpm.run(d, "stage", "publish", "--no-git-checks", "--json"))
                .stdout();
        String again = Json.parse(out.substring(out.indexOf("\n{") + 1))
                .path("pn-gated")
                .path("stageId")
                .asText();
        assertThat(again).isNotEqualTo(doomed);
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", again)).stdout())
                .contains("version: 1.2.0", "state: pending");
    }

    @Test
    void pnpmScopedPackage() {
        Path d = pkg("pn-scoped", "@acme/pn-scoped", "1.0.0");
        // staged first: a brand-new scoped name; pnpm posts to /-/stage/package/@acme%2fpn-scoped
        String id = id(PNPM_STAGED, ok(alicePnpm.run(d, "stage", "publish", "--access", "public", "--no-git-checks")));
        assertThat(registry.http.get("@acme%2fpn-scoped", null).status()).isEqualTo(404);
        // the filter goes out as package=%40acme%2Fpn-scoped
        assertThat(ok(alicePnpm.run(tmp, "stage", "list", "@acme/pn-scoped")).stdout())
                .contains("id: " + id, "package name: @acme/pn-scoped");
        ok(alicePnpm.run(tmp, "stage", "approve", id, "--otp", aliceApp.next()));
        assertThat(registry.http
                        .get("@acme%2fpn-scoped", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
        Path consumer = consumer(tmp.resolve("pnpm-scoped-consumer"), "@acme/pn-scoped", "1.0.0");
        ok(alicePnpm.install(consumer));
        assertThat(consumer.resolve("node_modules/@acme/pn-scoped/package.json"))
                .exists();
    }

    /**
     * pnpm approves several stage ids with one --otp, reusing the code for every request; it asks for a new one when
     * the registry refuses it. Airlock codes are single-use (RFC 6238 §5.2 replay protection), so the second request
     * is refused, and without a terminal pnpm stops there: the first id is published, the second stays staged until
     * it is approved with a fresh code. (On a terminal pnpm would prompt for the next code.)
     */
    @Test
    void pnpmBatchApproveNeedsAFreshCodePerStage() {
        Path d = pkg("pn-batch", "pn-batch", "1.0.0");
        String first = id(PNPM_STAGED, ok(alicePnpm.run(d, "stage", "publish", "--no-git-checks")));
        version(d, "pn-batch", "1.1.0");
        String second = id(PNPM_STAGED, ok(alicePnpm.run(d, "stage", "publish", "--no-git-checks", "--tag", "next")));

        Cli.Result batch =
                fails(alicePnpm.run(tmp, "stage", "approve", first, second, "--otp", aliceApp.next()), PNPM_NO_OTP);
        assertThat(batch.stdout()).contains("Approved pn-batch@1.0.0").doesNotContain("Approved pn-batch@1.1.0");
        JsonNode packument = registry.http.get("pn-batch", null).json();
        assertThat(packument.path("versions").has("1.0.0")).isTrue();
        assertThat(packument.path("versions").has("1.1.0")).isFalse();
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", second)).stdout()).contains("state: pending", "tag: next");

        ok(alicePnpm.run(tmp, "stage", "approve", second, "--otp", aliceApp.next()));
        JsonNode tags = registry.http.get("pn-batch", null).json().path("dist-tags");
        assertThat(tags.path("latest").asText()).isEqualTo("1.0.0");
        assertThat(tags.path("next").asText()).isEqualTo("1.1.0");
    }

    // ---------------------------------------------------------------------------------------------- yarn berry

    @Test
    void yarnBerryStagesListsAndApproves() {
        Path d = aliceBerry.project(pkg("yarn-gated", "@acme/yarn-gated", "1.0.0"));
        fails(aliceBerry.run(d, "npm", "publish", "--access", "public"), BERRY_NO_OTP);
        ok(aliceBerry.run(d, "npm", "publish", "--access", "public", "--otp", aliceApp.next()));
        String before = registry.http.get("@acme%2fyarn-gated", null).body();

        version(d, "@acme/yarn-gated", "1.1.0");
        Cli.Result staged = ok(aliceBerry.run(d, "npm", "publish", "--staged", "--access", "public"));
        assertThat(staged.stdout())
                .contains("Staging to " + registry.url().replaceFirst("/$", "") + " with tag latest");
        String id = id(BERRY_STAGED, staged);
        assertInvisible("@acme/yarn-gated", "1.1.0", before);
        Path early = consumer(tmp.resolve("berry-consumer-early"), "@acme/yarn-gated", "1.1.0");
        fails(aliceBerry.install(early), "No candidates found");

        // list prints a tree of name@tag → version with the id; --json is NDJSON (one object per stage)
        assertThat(ok(aliceBerry.run(tmp, "npm", "stage", "list")).stdout())
                .contains(
                        "The following packages are awaiting approval.",
                        "@acme/yarn-gated@latest → 1.1.0",
                        "ID: " + id);
        List<JsonNode> listed = ndjson(ok(aliceBerry.run(tmp, "npm", "stage", "list", "@acme/yarn-gated", "--json"))
                .stdout());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("value").path("locator").asText()).isEqualTo("@acme/yarn-gated@1.1.0");
        assertThat(listed.get(0).path("children").path("ID").asText()).isEqualTo(id);
        // berry has no `stage view` or `stage download`: what was staged, as the registry describes it
        String shasum = registry.http
                .get("-/stage/" + id, aliceToken)
                .json()
                .path("shasum")
                .asText();
        fails(aliceBerry.run(tmp, "npm", "stage", "approve", "not-a-uuid"), "Invalid value for stageId");

        // no code: berry cannot prompt and fails; a wrong code is reported as such; nothing is approved
        Cli.Result noOtp = fails(aliceBerry.run(tmp, "npm", "stage", "approve", id), BERRY_NO_OTP);
        assertThat(noOtp.all()).doesNotContain("approved and published");
        fails(
                aliceBerry.run(tmp, "npm", "stage", "approve", id, "--otp", wrongCode(aliceApp)),
                "YN0041: Invalid OTP token");
        assertInvisible("@acme/yarn-gated", "1.1.0", before);
        fails(
                bobBerry.run(tmp, "npm", "stage", "approve", id, "--otp", bobApp.next()),
                "Response Code: 404 (Not Found)");
        Cli.Result approved = ok(aliceBerry.run(tmp, "npm", "stage", "approve", id, "--otp", aliceApp.next()));
        assertThat(approved.stdout()).contains("Staged package " + id + " approved and published successfully.");

        assertThat(registry.http
                        .get("-/stage/" + id, aliceToken)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("approved");
        assertVisible("@acme/yarn-gated", "1.1.0", null);
        assertThat(registry.http
                        .get("@acme%2fyarn-gated", null)
                        .json()
                        .path("versions")
                        .path("1.1.0")
                        .path("dist")
                        .path("shasum")
                        .asText())
                .isEqualTo(shasum);
        Path consumer = consumer(tmp.resolve("berry-consumer"), "@acme/yarn-gated", "1.1.0");
        ok(aliceBerry.install(consumer));
        assertThat(Files2.read(consumer.resolve("node_modules/@acme/yarn-gated/package.json")))
                .contains("\"1.1.0\"");
        assertThat(ok(aliceBerry.run(tmp, "npm", "stage", "list", "@acme/yarn-gated"))
                        .stdout())
                .contains("No staged versions found for package @acme/yarn-gated");
    }

    @Test
    void yarnBerryRejects() {
        Path d = aliceBerry.project(pkg("yarn-rejectable", "yarn-rejectable", "1.0.0"));
        ok(aliceBerry.run(d, "npm", "publish", "--otp", aliceApp.next()));
        version(d, "yarn-rejectable", "2.0.0");
        String id = id(BERRY_STAGED, ok(aliceBerry.run(d, "npm", "publish", "--staged", "--tag", "next")));
        assertThat(ok(aliceBerry.run(tmp, "npm", "stage", "list", "yarn-rejectable"))
                        .stdout())
                .contains("yarn-rejectable@next → 2.0.0", "ID: " + id);

        fails(aliceBerry.run(tmp, "npm", "stage", "reject", id), BERRY_NO_OTP);
        assertThat(registry.http
                        .get("-/stage/" + id, aliceToken)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("pending");
        Cli.Result rejected = ok(aliceBerry.run(tmp, "npm", "stage", "reject", id, "--otp", aliceApp.next()));
        assertThat(rejected.stdout()).contains("Staged package " + id + " has been rejected.");
        assertThat(registry.http
                        .get("-/stage/" + id, aliceToken)
                        .json()
                        .path("state")
                        .asText())
                .isEqualTo("rejected");
        assertThat(ok(aliceBerry.run(tmp, "npm", "stage", "list")).stdout()).doesNotContain(id);
        assertThat(registry.http.get("yarn-rejectable", null).body()).doesNotContain("2.0.0");
        // a decided stage cannot be rejected again; berry shows only the status of a failed DELETE, not its body
        fails(
                aliceBerry.run(tmp, "npm", "stage", "reject", id, "--otp", aliceApp.next()),
                "Response Code: 409 (Conflict)");
        // the number is free again; --json ends with the publish summary, which carries the new stage id
        List<JsonNode> summary = ndjson(
                ok(aliceBerry.run(d, "npm", "publish", "--staged", "--json")).stdout());
        JsonNode last = summary.get(summary.size() - 1);
        assertThat(last.path("staged").asBoolean()).as(last.toString()).isTrue();
        assertThat(last.path("published").asBoolean()).as(last.toString()).isFalse();
        String again = last.path("stageId").asText();
        assertThat(again).isNotEqualTo(id);
        assertThat(registry.http
                        .get("-/stage/" + again, aliceToken)
                        .json()
                        .path("version")
                        .asText())
                .isEqualTo("2.0.0");
    }

    // ------------------------------------------------------------------------------------------- both clients

    /** A pipeline's automation token stages through either client without a code, and can never approve. */
    @Test
    void aPipelineTokenStagesButOnlyAPersonApproves() {
        Path pn = pkg("ci-pnpm", "ci-pnpm", "1.0.0");
        String pnId = id(PNPM_STAGED, ok(ciPnpm.run(pn, "stage", "publish", "--no-git-checks")));
        Path yn = ciBerry.project(pkg("ci-berry", "ci-berry", "1.0.0"));
        String ynId = id(BERRY_STAGED, ok(ciBerry.run(yn, "npm", "publish", "--staged")));
        assertThat(ok(alicePnpm.run(tmp, "stage", "view", pnId)).stdout()).contains("staged by: alice (token)");

        // the server's reason reaches the user through both clients
        fails(ciPnpm.run(tmp, "stage", "approve", pnId, "--otp", aliceApp.next()), "Only a person can approve");
        fails(ciBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", aliceApp.next()), "Only a person can approve");
        assertThat(registry.http.get("ci-pnpm", null).status()).isEqualTo(404);
        assertThat(registry.http.get("ci-berry", null).status()).isEqualTo(404);

        ok(alicePnpm.run(tmp, "stage", "approve", pnId, "--otp", aliceApp.next()));
        ok(aliceBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", aliceApp.next()));
        assertThat(registry.http
                        .get("ci-pnpm", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
        assertThat(registry.http
                        .get("ci-berry", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
    }

    /**
     * Under a two-approver policy the first approval is partial: Airlock answers 200 with {@code "published":false},
     * {@code "approvals":"1/2"} and an {@code npm-notice} header, which npm prints. pnpm and berry print their fixed
     * success line for any 2xx and show neither the notice nor the body (nothing the server can change without breaking
     * npm, which needs the 2xx); what tells their users is that the stage is still listed, with pnpm's view showing
     * the count.
     */
    @Test
    void partialApprovalsUnderATwoPersonRule() {
        Path pn = pkg("duo-pnpm", "@duo/pn", "1.0.0");
        String pnId =
                id(PNPM_STAGED, ok(alicePnpm.run(pn, "stage", "publish", "--access", "public", "--no-git-checks")));
        fails(
                alicePnpm.run(tmp, "stage", "approve", pnId, "--otp", aliceApp.next()),
                "You staged @duo/pn@1.0.0 yourself");
        Cli.Result first = ok(bobPnpm.run(tmp, "stage", "approve", pnId, "--otp", bobApp.next()));
        assertThat(first.stdout()).contains("Staged package " + pnId + " approved and published successfully.");
        assertThat(first.all()).doesNotContain("approvals recorded");
        assertThat(registry.http.get("@duo%2fpn", null).status()).isEqualTo(404);
        assertThat(ok(bobPnpm.run(tmp, "stage", "view", pnId)).stdout())
                .contains("state: pending", "approvals: 1/2", "approvedBy: bob");
        fails(bobPnpm.run(tmp, "stage", "approve", pnId, "--otp", bobApp.next()), "You already approved @duo/pn@1.0.0");
        ok(carolPnpm.run(tmp, "stage", "approve", pnId, "--otp", carolApp.next()));
        assertThat(registry.http
                        .get("@duo%2fpn", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");

        Path yn = aliceBerry.project(pkg("duo-berry", "@duo/berry", "1.0.0"));
        String ynId = id(BERRY_STAGED, ok(aliceBerry.run(yn, "npm", "publish", "--staged", "--access", "public")));
        fails(
                aliceBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", aliceApp.next()),
                "You staged @duo/berry@1.0.0 yourself");
        Cli.Result partial = ok(bobBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", bobApp.next()));
        assertThat(partial.stdout()).contains("Staged package " + ynId + " approved and published successfully.");
        assertThat(partial.all()).doesNotContain("approvals recorded");
        assertThat(registry.http.get("@duo%2fberry", null).status()).isEqualTo(404);
        assertThat(ok(bobBerry.run(tmp, "npm", "stage", "list", "@duo/berry")).stdout())
                .contains("ID: " + ynId);
        fails(
                bobBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", bobApp.next()),
                "You already approved @duo/berry@1.0.0");
        ok(carolBerry.run(tmp, "npm", "stage", "approve", ynId, "--otp", carolApp.next()));
        assertThat(registry.http
                        .get("@duo%2fberry", null)
                        .json()
                        .path("dist-tags")
                        .path("latest")
                        .asText())
                .isEqualTo("1.0.0");
    }

    // -------------------------------------------------------------------------------------------------- clients

    /**
     * One person's (or pipeline's) pnpm: a throwaway HOME whose ~/.npmrc names Airlock and holds the token. Publishing
     * commands get --no-git-checks: pnpm checks the branch and a clean tree when the package is in a git checkout,
     * which a temporary directory may be if java.io.tmpdir is inside one.
     */
    record Pnpm(Path home) {
        static Pnpm as(String who, String token) {
            Path home = tmp.resolve("pnpm-" + who);
            Files2.write(
                    home.resolve(".npmrc"),
                    "registry=" + registry.url() + "\n" + registry.url().replaceFirst("^http:", "") + ":_authToken="
                            + token + "\n");
            return new Pnpm(home);
        }

        Cli.Result run(Path cwd, String... args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Clients.pnpm().toString());
            cmd.addAll(List.of(args));
            cmd.add("--reporter=append-only");
            return Cli.run(mkdirs(cwd), env(), cmd, Map.<String, String>of(), 180);
        }

        /** Installs a consumer project (its own store and cache, so nothing from an earlier run is reused). */
        Cli.Result install(Path project) {
            // pnpm 12 would write packages younger than its minimumReleaseAge into this file; say what we mean
            Files2.write(project.resolve("pnpm-workspace.yaml"), "minimumReleaseAge: 0\n");
            return run(
                    project,
                    "install",
                    "--no-frozen-lockfile",
                    "--store-dir=" + project.resolve(".store"),
                    "--cache-dir=" + project.resolve(".cache"));
        }

        Map<String, String> env() {
            Map<String, String> env = Cli.baseEnv(home);
            env.put("XDG_CONFIG_HOME", home.resolve("xdg-config").toString());
            env.put("XDG_CACHE_HOME", home.resolve("xdg-cache").toString());
            env.put("XDG_DATA_HOME", home.resolve("xdg-data").toString());
            env.put("XDG_STATE_HOME", home.resolve("xdg-state").toString());
            return env;
        }
    }

    /** One person's (or pipeline's) yarn berry: a throwaway HOME whose ~/.yarnrc.yml names Airlock and holds the token. */
    record Berry(Path home) {
        static Berry as(String who, String token) {
            Path home = tmp.resolve("berry-" + who);
            Files2.write(
                    home.resolve(".yarnrc.yml"),
                    "npmRegistryServer: \"" + registry.url().replaceFirst("/$", "") + "\"\n"
                            + "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
                            + "enableGlobalCache: false\n"
                            + "nodeLinker: node-modules\n"
                            + "enableTelemetry: false\n"
                            + "enableImmutableInstalls: false\n"
                            + "npmMinimalAgeGate: 0\n"
                            + "npmAuthToken: \"" + token + "\"\n");
            return new Berry(home);
        }

        /** Berry publishes only a workspace of a project it has installed once (the lockfile must list it). */
        Path project(Path dir) {
            ok(install(dir));
            return dir;
        }

        /** A first install creates the lockfile (CI=true would otherwise make it immutable; the rc says not). */
        Cli.Result install(Path dir) {
            if (!Files.exists(dir.resolve("yarn.lock"))) {
                Files2.write(dir.resolve("yarn.lock"), "");
            }
            return run(dir, "install");
        }

        Cli.Result run(Path cwd, String... args) {
            List<String> cmd =
                    new ArrayList<>(List.of("node", Clients.yarnBerry().toString()));
            cmd.addAll(List.of(args));
            Map<String, String> env = Cli.baseEnv(home);
            env.put("YARN_ENABLE_TELEMETRY", "0");
            env.put("YARN_ENABLE_PROGRESS_BARS", "0");
            env.put("YARN_CACHE_FOLDER", home.resolve("cache").toString());
            env.put("YARN_GLOBAL_FOLDER", home.resolve("global").toString());
            return Cli.run(mkdirs(cwd), env, cmd, Map.<String, String>of(), 180);
        }
    }

    // -------------------------------------------------------------------------------------------------- helpers

    static Path pkg(String dir, String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(dir);
        version(d, name, version);
        Files2.write(d.resolve("index.js"), "module.exports = '" + name + "';\n");
        return d;
    }

    static void version(Path dir, String name, String version) {
        Files2.write(
                dir.resolve("package.json"),
                "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"license\":\"MIT\"}\n");
    }

    static Path consumer(Path dir, String dep, String version) {
        Files2.write(
                dir.resolve("package.json"),
                "{\"name\":\"consumer\",\"version\":\"1.0.0\",\"private\":true," + "\"dependencies\":{\"" + dep
                        + "\":\"" + version + "\"}}\n");
        return dir;
    }

    /** Not in the packument (byte for byte as before staging), no version document, no tarball. */
    static void assertInvisible(String name, String version, String packumentBefore) {
        String esc = name.replace("/", "%2f");
        Http.Response packument = registry.http.get(esc, null);
        assertThat(packument.body()).isEqualTo(packumentBefore);
        assertThat(packument.json().path("versions").has(version)).isFalse();
        assertThat(registry.http.get(esc + "/" + version, null).status()).isEqualTo(404);
        assertThat(registry.http.get(tarballPath(name, version), null).status()).isEqualTo(404);
    }

    /** In the packument as latest, and its tarball is exactly the staged one (when we have that). */
    static void assertVisible(String name, String version, Path staged) {
        JsonNode packument = registry.http.get(name.replace("/", "%2f"), null).json();
        assertThat(packument.path("dist-tags").path("latest").asText()).isEqualTo(version);
        JsonNode dist = packument.path("versions").path(version).path("dist");
        byte[] tarball = registry.http.bytes(
                dist.path("tarball").asText().substring(registry.url().length()), null);
        assertThat(tarball).isNotNull();
        assertThat(sha1(tarball)).isEqualTo(dist.path("shasum").asText());
        if (staged != null) {
            assertThat(tarball).isEqualTo(read(staged));
        }
    }

    /** Airlock's tarball path: name/-/basename-version.tgz. */
    static String tarballPath(String name, String version) {
        String base = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
        return name + "/-/" + base + "-" + version + ".tgz";
    }

    static String id(Pattern p, Cli.Result r) {
        Matcher m = p.matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    /** A code of a step far from now: wrong, but well-formed. */
    static String wrongCode(Authenticator app) {
        return app.code(1);
    }

    static List<JsonNode> ndjson(String out) {
        List<JsonNode> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                list.add(Json.parse(line));
            }
        }
        return list;
    }

    /**
     * Fails, saying all of this. pnpm draws its errors in a box wrapped at 80 columns whatever COLUMNS says, breaking
     * at spaces or inside words, so the messages are compared without whitespace and box lines.
     */
    static Cli.Result fails(Cli.Result r, String... messages) {
        assertThat(r.exit()).as(r.toString()).isNotZero();
        for (String message : messages) {
            assertThat(squash(r.all())).as(r.toString()).contains(squash(message));
        }
        return r;
    }

    static String squash(String s) {
        return s.replaceAll("[\\s\u2502]+", "");
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
