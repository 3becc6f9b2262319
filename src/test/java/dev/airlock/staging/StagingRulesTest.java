package dev.airlock.staging;

import static dev.airlock.testing.Services.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.policy.Policy;
import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Services;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The staging feature's rules against the real services on a temporary SQLite database: a staged version is pending
 * and invisible, shares version numbers with published ones, expires, needs N approvals by distinct people other
 * than the stager (when N ≥ 2), each with a fresh factor, and a rejection frees its number.
 */
class StagingRulesTest {
    static final PackageName WIDGET = PackageName.parse("widget");
    Services s;
    Actor alice;
    Actor bob;
    Actor carol;
    Actor mallory;
    Authenticator bobApp;
    Authenticator carolApp;

    @BeforeEach
    void setUp() {
        s = Services.start();
        alice = s.user("alice");
        bob = s.user("bob");
        carol = s.user("carol");
        mallory = s.user("mallory");
        s.enableTotp("alice", "auth-only");
        bobApp = s.enableTotp("bob", "auth-only");
        carolApp = s.enableTotp("carol", "auth-only");
        s.publish(alice, "widget", "1.0.0");
        s.airlock
                .packageUseCases
                .ownership()
                .setMaintainers(Actor.operator(), WIDGET, null, List.of("alice", "bob", "carol"));
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Test
    void aStagedVersionIsPendingAndInvisibleToEveryRead() {
        Stage st = s.stage(alice, "widget", "1.1.0");
        assertEquals(StageState.PENDING, st.status());
        assertEquals("pending", st.state());
        assertEquals("alice", st.actor());
        assertEquals("user", st.actorType());
        assertEquals(1, st.approvalsRequired());
        assertEquals(Duration.ofDays(7).toMillis(), st.expiresAt() - st.createdAt());
        JsonNode doc = s.airlock.packages.packument(Actor.anonymous("127.0.0.1"), WIDGET, false);
        assertFalse(doc.path("versions").has("1.1.0"));
        assertEquals("1.0.0", doc.path("dist-tags").path("latest").asText());
        fails(
                ErrorCode.NOT_FOUND,
                "Tarball not found: widget@1.1.0",
                () -> s.airlock.packages.tarball(bob, WIDGET, "1.1.0"));
        fails(
                ErrorCode.NOT_FOUND,
                "Version not found: widget@1.1.0",
                () -> s.airlock.packages.versionManifest(bob, WIDGET, "1.1.0"));
        // a brand-new name reserved by staging: nothing about it is served
        s.stage(alice, "fresh-name", "0.1.0");
        fails(
                ErrorCode.NOT_FOUND,
                "Package \"fresh-name\" not found.",
                () -> s.airlock.packages.packument(alice, PackageName.parse("fresh-name"), false));
        assertEquals(
                PackageName.parse("fresh-name").toString(),
                s.airlock
                        .staging
                        .list(alice, "fresh-name", 0, 10)
                        .items()
                        .get(0)
                        .stage()
                        .pkg());
    }

    @Test
    void onlyThoseWhoMayPublishThePackageSeeItsStages() {
        Stage st = s.stage(alice, "widget", "1.1.0");
        assertEquals(
                List.of(st.id()),
                s.airlock.staging.list(bob, null, 0, 10).items().stream()
                        .map(v -> v.stage().id())
                        .toList());
        assertEquals(0, s.airlock.staging.list(mallory, null, 0, 10).total());
        fails(
                ErrorCode.NOT_FOUND,
                "Staged package " + st.id() + " not found.",
                () -> s.airlock.staging.view(mallory, st.id()));
        fails(
                ErrorCode.NOT_FOUND,
                "Staged package not-a-uuid not found.",
                () -> s.airlock.staging.view(bob, "not-a-uuid"));
    }

    @Test
    void versionNumbersAreSharedWithPublishedAndStagedVersions() {
        fails(
                ErrorCode.CONFLICT,
                "You cannot publish over the previously published version widget@1.0.0. Bump the version"
                        + " number and publish again.",
                () -> s.stage(alice, "widget", "1.0.0"));
        s.stage(alice, "widget", "1.2.0");
        fails(
                ErrorCode.CONFLICT,
                "Version widget@1.2.0 is already staged and waiting for approval.",
                () -> s.stage(bob, "widget", "1.2.0"));
        fails(
                ErrorCode.CONFLICT,
                "Version widget@1.2.0 is already staged and waiting for approval.",
                () -> s.publish(alice, "widget", "1.2.0"));
    }

    @Test
    void oneApprovalWithAFreshCodePublishes() {
        Stage st = s.stage(alice, "widget", "1.3.0");
        fails(
                ErrorCode.OTP_REQUIRED,
                "This operation requires a one-time password: to approve widget@1.3.0, pass"
                        + " --otp=<code> from your authenticator app.",
                () -> s.airlock.staging.approve(bob, st.id()));
        // someone who may not publish the package does not even learn that the stage exists
        fails(
                ErrorCode.NOT_FOUND,
                "Staged package " + st.id() + " not found.",
                () -> s.airlock.staging.approve(mallory, st.id()));
        StagingService.Decision d = s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id());
        assertTrue(d.published());
        assertEquals(1, d.approvals());
        assertEquals(StageState.APPROVED, d.stage().status());
        assertEquals("bob", d.stage().decidedBy());
        JsonNode v = s.airlock.packages.versionManifest(mallory, WIDGET, "1.3.0");
        assertEquals("staged", v.path("airlock").path("method").asText());
        assertEquals("alice", v.path("airlock").path("stagedBy").asText());
        assertEquals(
                "bob", v.path("airlock").path("approvedBy").path(0).path("name").asText());
        assertEquals(
                "totp",
                v.path("airlock").path("approvedBy").path(0).path("factor").asText());
        assertEquals("1.3.0", s.airlock.packages.distTags(mallory, WIDGET).get("latest"));
        fails(
                ErrorCode.CONFLICT,
                "Staged package " + st.id() + " cannot be approved: it is approved.",
                () -> s.airlock.staging.approve(carol.withOtp(carolApp.next()), st.id()));
        fails(
                ErrorCode.CONFLICT,
                "You cannot publish over the previously published version widget@1.3.0. Bump the version"
                        + " number and publish again.",
                () -> s.stage(alice, "widget", "1.3.0"));
    }

    @Test
    void nOfMApprovalsComeFromDistinctPeopleOtherThanTheStager() {
        s.airlock.policies.setPackage(Actor.operator(), WIDGET, new Policy(null, null, 2, null, null));
        Actor aliceWithCode = alice; // the stager's own approval is refused before any code is asked
        Stage st = s.stage(alice, "widget", "1.4.0");
        assertEquals(2, st.approvalsRequired());
        fails(
                ErrorCode.FORBIDDEN,
                "You staged widget@1.4.0 yourself; its policy needs 2 approvals from other maintainers"
                        + " (two-person rule).",
                () -> s.airlock.staging.approve(aliceWithCode.withOtp("000000"), st.id()));
        StagingService.Decision first = s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id());
        assertFalse(first.published());
        assertEquals(1, first.approvals());
        assertEquals(2, first.required());
        assertEquals(StageState.PENDING, first.stage().status());
        assertFalse(s.airlock.packages.isPublished(WIDGET, "1.4.0"));
        fails(
                ErrorCode.CONFLICT,
                "You already approved widget@1.4.0; another maintainer must approve it.",
                () -> s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id()));
        StagingService.Decision second = s.airlock.staging.approve(carol.withOtp(carolApp.next()), st.id());
        assertTrue(second.published());
        assertEquals(2, second.approvals());
        assertEquals(
                List.of("bob", "carol"),
                s.airlock.staging.view(bob, st.id()).approvals().stream()
                        .map(Approval::user)
                        .toList());
        assertTrue(s.airlock.packages.isPublished(WIDGET, "1.4.0"));
    }

    @Test
    void aRejectionDiscardsTheBytesAndFreesTheNumber() {
        Stage st = s.stage(alice, "widget", "1.5.0");
        Actor token = new Actor(
                "bob",
                "granular",
                "tok",
                "127.0.0.1",
                null,
                TokenScope.builder()
                        .allPackages(true)
                        .packagePermission(TokenScope.READ_WRITE)
                        .build());
        fails(
                ErrorCode.FORBIDDEN,
                "Only a person can reject a staged release: log in with `npm login` and use your second"
                        + " factor. Automation tokens can stage, never reject.",
                () -> s.airlock.staging.reject(token, st.id()));
        s.airlock.staging.reject(bob.withOtp(bobApp.next()), st.id());
        Stage after = s.airlock.staging.view(bob, st.id()).stage();
        assertEquals(StageState.REJECTED, after.status());
        assertEquals("bob", after.decidedBy());
        fails(
                ErrorCode.CONFLICT,
                "Staged package " + st.id() + " cannot be approved: it is rejected.",
                () -> s.airlock.staging.approve(carol.withOtp(carolApp.next()), st.id()));
        fails(
                ErrorCode.NOT_FOUND,
                "Staged package " + st.id() + " has no tarball any more (it was rejected).",
                () -> s.airlock.staging.tarball(bob, st.id()));
        Stage again = s.stage(alice, "widget", "1.5.0");
        assertNotEquals(st.id(), again.id());
        assertEquals(StageState.PENDING, again.status());
    }

    @Test
    void aStageExpiresAfterItsLifetime() {
        Stage st = s.stage(alice, "widget", "2.0.0");
        s.clock.advance(Duration.ofDays(7).minusMinutes(1));
        assertEquals(0, s.airlock.staging.expire());
        s.clock.advance(Duration.ofMinutes(2));
        fails(
                ErrorCode.CONFLICT,
                "Staged package " + st.id() + " cannot be approved: it is expired.",
                () -> s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id()));
        assertEquals(
                StageState.EXPIRED, s.airlock.staging.view(bob, st.id()).stage().status());
        assertEquals(0, s.airlock.staging.expire());
        assertEquals(0, s.airlock.staging.list(bob, null, 0, 10).total());
        assertEquals(StageState.PENDING, s.stage(alice, "widget", "2.0.0").status());
    }

    @Test
    void aTokenStagesButNeverApproves() {
        Actor token = new Actor(
                "alice",
                "granular",
                "tok",
                "127.0.0.1",
                null,
                TokenScope.builder()
                        .packages(Set.of("widget"))
                        .packagePermission(TokenScope.READ_WRITE)
                        .build());
        Stage st = s.stage(token, "widget", "3.0.0");
        assertEquals("token", st.actorType());
        assertEquals("tok", st.tokenKey());
        fails(
                ErrorCode.FORBIDDEN,
                "Only a person can approve a staged release: log in with `npm login` and use your second"
                        + " factor. Automation tokens can stage, never approve.",
                () -> s.airlock.staging.approve(token, st.id()));
        Actor readOnly = new Actor(
                "alice",
                "granular",
                "ro",
                "127.0.0.1",
                null,
                TokenScope.builder()
                        .allPackages(true)
                        .packagePermission(TokenScope.READ_ONLY)
                        .build());
        assertEquals(
                ErrorCode.FORBIDDEN,
                org.junit.jupiter.api.Assertions.assertThrows(
                                dev.airlock.shared.AirlockException.class, () -> s.stage(readOnly, "widget", "3.0.1"))
                        .code());
    }
}
