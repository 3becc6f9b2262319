package dev.airlock.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.audit.AuditEvent;
import dev.airlock.policy.Policy;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import dev.airlock.staging.Stage;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Services;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each alert rule against the real services on a temporary SQLite database, with a clock the test moves: it fires
 * once per case, not twice, and resolves; every change writes an audit event and an outbox message (one delivery to
 * the webhook that takes alert.*, one per mailed user) in the same transaction.
 */
class AlertRulesTest {
    static final PackageName WIDGET = PackageName.parse("widget");
    Services s;
    Actor alice;
    Actor bob;
    Authenticator bobApp;

    /** An outbox message with the destinations of its deliveries. */
    record Outbox(String kind, String severity, String subject, String dedupKey, List<String> targets) {}

    @BeforeEach
    void setUp() {
        Map<String, String> cfg = new HashMap<>();
        // mail is configured (never sent: the delivery worker is not started), so mail deliveries are recorded
        cfg.put("notifications.smtp.host", "127.0.0.1");
        cfg.put("notifications.smtp.port", "1");
        cfg.put("notifications.smtp.from", "airlock@example.org");
        cfg.put("notifications.webhooks.1.name", "oncall");
        cfg.put("notifications.webhooks.1.url", "http://127.0.0.1:1/hook");
        cfg.put("notifications.webhooks.1.secret", "0123456789abcdef0123");
        cfg.put("notifications.webhooks.1.events", "alert.*");
        cfg.put("alerts.stageWaiting.escalateTo", "olga");
        cfg.put("alerts.burst.threshold", "3");
        s = Services.start(cfg);
        alice = s.user("alice");
        bob = s.user("bob");
        s.user("olga");
        s.enableTotp("alice", "auth-only");
        bobApp = s.enableTotp("bob", "auth-only");
        s.publish(alice, "widget", "1.0.0");
        s.airlock.packageUseCases.ownership().setMaintainers(Actor.operator(), WIDGET, null, List.of("alice", "bob"));
        // the direct publish above is a case of its own; these tests start after it
        s.airlock.alerts.evaluate();
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    List<AuditEvent> alertEvents() {
        return s.airlock.audit.all().stream()
                .filter(e -> e.action().startsWith("alert."))
                .toList();
    }

    /** The outbox messages of this kind about this rule's cases, oldest first. */
    List<Outbox> outbox(String kind, String rule) {
        return s.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT id, kind, severity, subject, dedup_key FROM notification_messages"
                        + " WHERE kind = :k AND dedup_key LIKE :rule ORDER BY created_at, id")
                .bind("k", kind)
                .bind("rule", "alert:" + rule + ":%")
                .map((rs, c) -> new Outbox(
                        rs.getString("kind"),
                        rs.getString("severity"),
                        rs.getString("subject"),
                        rs.getString("dedup_key"),
                        tx.handle()
                                .createQuery("SELECT channel || ':' || target FROM notification_deliveries"
                                        + " WHERE message_id = :m ORDER BY channel, target")
                                .bind("m", rs.getString("id"))
                                .mapTo(String.class)
                                .list()))
                .list());
    }

    Alert only(String rule) {
        List<Alert> all = s.airlock.alerts.list(true).stream()
                .filter(a -> a.rule().equals(rule))
                .toList();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void aWaitingStageRemindsThenEscalatesOnceAndResolvesWhenApproved() {
        Stage st = s.stage(alice, "widget", "1.1.0");
        assertEquals(0, s.airlock.alerts.evaluate(), "nothing within the first 15 minutes");
        s.clock.advance(Duration.ofMinutes(16));
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate(), "a reminder is sent once");
        Alert a = only("stageWaiting");
        assertEquals("reminder", a.level());
        assertEquals(st.id(), a.caseKey());
        assertEquals("package:widget", a.target());
        List<Outbox> fired = outbox("alert.fired", "stageWaiting");
        assertThat(fired).hasSize(1);
        assertEquals("warning", fired.get(0).severity());
        assertThat(fired.get(0).subject()).startsWith("Reminder: widget@1.1.0 has waited 16 minutes");
        assertThat(fired.get(0).targets()).containsExactly("email:alice", "email:bob", "webhook:oncall");
        assertEquals("alert:stageWaiting:" + st.id(), fired.get(0).dedupKey());

        s.clock.advance(Duration.ofMinutes(15));
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate(), "an escalation is sent once");
        assertEquals("escalation", only("stageWaiting").level());
        fired = outbox("alert.fired", "stageWaiting");
        assertThat(fired).hasSize(2);
        assertEquals("critical", fired.get(1).severity());
        assertThat(fired.get(1).subject()).startsWith("Escalation: widget@1.1.0");
        assertThat(fired.get(1).targets()).containsExactly("email:alice", "email:bob", "email:olga", "webhook:oncall");

        s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id());
        assertEquals(2, s.airlock.alerts.evaluate(), "the resolution, and bob (a maintainer since today) approved");
        assertEquals(0, s.airlock.alerts.evaluate());
        assertEquals("newMaintainerApproval", only("newMaintainerApproval").rule());
        a = only("stageWaiting");
        assertEquals(Alert.RESOLVED, a.state());
        List<Outbox> resolved = outbox("alert.resolved", "stageWaiting");
        assertThat(resolved).hasSize(1);
        assertEquals("alert:stageWaiting:" + st.id(), resolved.get(0).dedupKey());
        assertThat(resolved.get(0).targets())
                .containsExactly("email:alice", "email:bob", "email:olga", "webhook:oncall");

        List<AuditEvent> events = alertEvents().stream()
                .filter(e -> "stageWaiting".equals(e.detail().get("rule")))
                .toList();
        assertThat(events).extracting(AuditEvent::action).containsExactly("alert.fire", "alert.fire", "alert.resolve");
        assertThat(events)
                .extracting(e -> e.detail().get("level"))
                .containsExactly("reminder", "escalation", "escalation");
        assertThat(events).allSatisfy(e -> {
            assertEquals("package:widget", e.target());
            assertEquals(st.id(), e.detail().get("case"));
        });
    }

    @Test
    void aRejectedStageResolvesItsReminder() {
        Stage st = s.stage(alice, "widget", "1.1.0");
        s.clock.advance(Duration.ofMinutes(20));
        assertEquals(1, s.airlock.alerts.evaluate());
        s.airlock.staging.reject(bob.withOtp(bobApp.next()), st.id());
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(Alert.RESOLVED, only("stageWaiting").state());
        assertEquals("reminder", only("stageWaiting").level());
        s.clock.advance(Duration.ofMinutes(20));
        assertEquals(0, s.airlock.alerts.evaluate(), "a decided stage never escalates");
    }

    @Test
    void aDirectPublishFiresOnceAndStaysFiringUntilAnAdminResolvesIt() {
        Alert first = only("publishedWithoutApproval");
        assertEquals("widget@1.0.0", first.caseKey());
        assertEquals(Alert.FIRING, first.state());
        s.publish(alice, "widget", "1.0.1");
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate());
        // a release through an approved stage is not a case
        Stage st = s.stage(alice, "widget", "1.2.0");
        s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id());
        s.airlock.alerts.evaluate(); // (bob, a maintainer since today, approving is a newMaintainerApproval case)
        List<Alert> alerts = s.airlock.alerts.list(false).stream()
                .filter(a -> a.rule().equals("publishedWithoutApproval"))
                .toList();
        assertThat(alerts).extracting(Alert::caseKey).containsExactly("widget@1.0.1", "widget@1.0.0");
        assertThat(outbox("alert.fired", "publishedWithoutApproval"))
                .filteredOn(o -> o.dedupKey().equals("alert:publishedWithoutApproval:widget@1.0.1"))
                .singleElement()
                .satisfies(o -> {
                    assertEquals("error", o.severity());
                    assertThat(o.targets()).containsExactly("email:alice", "email:bob", "webhook:oncall");
                });

        s.clock.advance(Duration.ofDays(30));
        s.airlock.alerts.evaluate();
        assertEquals(Alert.FIRING, s.airlock.alerts.find(first.id()).state(), "no automatic resolution");
        Alert done = s.airlock.alerts.resolve(Actor.operator(), first.id());
        assertEquals(Alert.RESOLVED, done.state());
        assertEquals("@cli", done.resolvedBy());
        AirlockException again = org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class, () -> s.airlock.alerts.resolve(Actor.operator(), first.id()));
        assertEquals(ErrorCode.CONFLICT, again.code());
        assertEquals(
                ErrorCode.NOT_FOUND,
                org.junit.jupiter.api.Assertions.assertThrows(
                                AirlockException.class, () -> s.airlock.alerts.resolve(Actor.operator(), "nope"))
                        .code());
        assertThat(alertEvents())
                .filteredOn(e -> e.action().equals("alert.resolve"))
                .singleElement()
                .satisfies(e -> {
                    assertEquals("widget@1.0.0", e.detail().get("case"));
                    assertEquals("package:widget", e.target());
                });
        assertThat(outbox("alert.resolved", "publishedWithoutApproval")).hasSize(1);
    }

    @Test
    void aStageByACredentialNeverSeenForThePackageFiresOnce() {
        s.stage(alice, "widget", "1.1.0"); // alice published it before: known
        assertEquals(0, s.airlock.alerts.evaluate());
        s.stage(bob, "widget", "1.2.0");
        assertEquals(1, s.airlock.alerts.evaluate());
        s.stage(bob, "widget", "1.3.0");
        assertEquals(0, s.airlock.alerts.evaluate(), "bob is known now");
        Alert a = only("newPublisher");
        assertEquals("widget user bob", a.caseKey());
        assertEquals("warning", a.detail().get("severity"));
        // a pipeline's token is another credential, even for the same user
        Actor pipeline = new Actor(
                "bob",
                "granular",
                "key-bob-pipeline",
                "127.0.0.1",
                null,
                new TokenScope(Set.of(), true, Set.of(), Set.of(), "read-write", "no-access", true, Set.of(), null));
        s.stage(pipeline, "widget", "1.4.0");
        assertEquals(1, s.airlock.alerts.evaluate());
        assertThat(s.airlock.alerts.list(false))
                .filteredOn(x -> x.rule().equals("newPublisher"))
                .extracting(Alert::caseKey)
                .anySatisfy(k -> assertThat(k).startsWith("widget token "));
    }

    @Test
    void weakeningAPolicyOrCreatingABypassTokenFires() {
        s.airlock.policies.setPackage(Actor.operator(), WIDGET, new Policy("publish", true, 2, null, true));
        assertEquals(0, s.airlock.alerts.evaluate(), "strengthening is not a case");
        s.airlock.policies.setPackage(Actor.operator(), WIDGET, new Policy(null, false, null, null, null));
        s.airlock.policies.setPackage(Actor.operator(), WIDGET, new Policy("automation", null, 1, null, false));
        assertEquals(2, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate());
        List<Alert> weakened = s.airlock.alerts.list(false).stream()
                .filter(a -> a.rule().equals("policyWeakened"))
                .toList();
        assertThat(weakened).hasSize(2);
        assertThat(weakened.get(0).detail().get("weakened").toString())
                .contains("mfa lowered from publish to automation")
                .contains("approvals reduced from 2 to 1")
                .contains("security-key requirement for approval removed");
        assertThat(weakened.get(1).detail().get("weakened").toString()).contains("staging turned off");

        s.airlock.tokens.issue(alice, "alice", "plain", null, null, null, null);
        assertEquals(0, s.airlock.alerts.evaluate());
        s.airlock.tokens.issue(
                alice,
                "alice",
                "pipeline",
                null,
                null,
                null,
                new TokenScope(Set.of(), true, Set.of(), Set.of(), "read-write", "no-access", true, Set.of(), null));
        assertEquals(1, s.airlock.alerts.evaluate());
        assertThat(s.airlock.alerts.list(false))
                .filteredOn(a -> a.rule().equals("policyWeakened") && a.target().startsWith("token:"))
                .singleElement()
                .satisfies(
                        a -> assertThat(a.detail().get("weakened").toString()).contains("bypasses two-factor"));
    }

    @Test
    void anApprovalByAMaintainerAddedDaysAgoDoesNotFireButByANewOneDoes() {
        s.airlock.policies.setPackage(Actor.operator(), WIDGET, new Policy(null, null, 2, null, null));
        s.clock.advance(Duration.ofDays(8));
        Actor carol = s.user("carol");
        Authenticator carolApp = s.enableTotp("carol", "auth-only");
        s.airlock
                .packageUseCases
                .ownership()
                .setMaintainers(Actor.operator(), WIDGET, null, List.of("alice", "bob", "carol"));
        Stage st = s.stage(alice, "widget", "1.1.0");
        s.airlock.staging.approve(bob.withOtp(bobApp.next()), st.id());
        assertEquals(0, s.airlock.alerts.evaluate(), "bob was added 8 days ago");
        s.airlock.staging.approve(carol.withOtp(carolApp.next()), st.id());
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate());
        Alert a = only("newMaintainerApproval");
        assertEquals(st.id() + " carol", a.caseKey());
        assertEquals("carol", a.detail().get("approver"));
    }

    @Test
    void aBurstOfPasswordFailuresFiresOnceAndResolvesWhenTheWindowEmpties() {
        for (int i = 0; i < 3; i++) {
            wrongPassword();
        }
        assertEquals(0, s.airlock.alerts.evaluate(), "3 is not more than the threshold of 3");
        wrongPassword();
        assertEquals(1, s.airlock.alerts.evaluate());
        wrongPassword();
        assertEquals(0, s.airlock.alerts.evaluate(), "one alert per burst");
        Alert a = only("burst");
        assertEquals("password-failures", a.caseKey());
        assertEquals(4, ((Number) a.detail().get("count")).intValue(), "the count when it fired");
        s.clock.advance(Duration.ofMinutes(6));
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(Alert.RESOLVED, only("burst").state());
        // a new burst later fires again
        for (int i = 0; i < 4; i++) {
            wrongPassword();
        }
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(Alert.FIRING, only("burst").state());
        assertThat(alertEvents())
                .filteredOn(e -> "burst".equals(e.detail().get("rule")))
                .extracting(AuditEvent::action)
                .containsExactly("alert.fire", "alert.resolve", "alert.fire");
    }

    @Test
    void burstsOfWrongCodesAndOfOidcDenialsAreTheirOwnCases() {
        for (int i = 0; i < 4; i++) {
            // a wrong authenticator code from bob (TOTP enrolled), then a refused OIDC exchange (not a JWT)
            Actor wrongCode = new Actor("bob", "session", "key-bob", "127.0.0.1", "000000");
            try {
                s.airlock.twoFactor.verify(wrongCode, "approve widget@1.1.0", false);
            } catch (AirlockException expected) {
                // refused, and recorded as tfa.failure (the throttle answers 429 after a few)
            }
            try {
                s.airlock.trust.exchange(PackageName.parse("widget"), "not-a-jwt", Actor.anonymous("10.0.0." + i));
            } catch (AirlockException expected) {
                assertEquals(ErrorCode.UNAUTHORIZED, expected.code());
            }
        }
        assertEquals(2, s.airlock.alerts.evaluate(), "one case per kind");
        assertThat(s.airlock.alerts.list(false))
                .filteredOn(a -> a.rule().equals("burst"))
                .extracting(Alert::caseKey)
                .containsExactlyInAnyOrder("wrong-codes", "oidc-denials");
        s.clock.advance(Duration.ofMinutes(6));
        assertEquals(2, s.airlock.alerts.evaluate(), "both windows emptied");
    }

    @Test
    void theAlertsOwnEventsAreNotReadAsCasesAndADisabledRuleNeverFires() {
        // the events alerts write (alert.fire on package:widget …) never count as cases of another rule
        s.publish(alice, "widget", "2.0.0");
        assertEquals(1, s.airlock.alerts.evaluate());
        assertEquals(0, s.airlock.alerts.evaluate());
        try (Services off = Services.start(Map.of("alerts.publishedWithoutApproval.enabled", "false"))) {
            Actor dora = off.user("dora");
            off.enableTotp("dora", "auth-only");
            off.publish(dora, "gizmo", "1.0.0");
            assertEquals(0, off.airlock.alerts.evaluate());
            assertThat(off.airlock.alerts.list(true)).isEmpty();
        }
    }

    @Test
    void anotherNodeOrARestartResumesAtThePersistedCursorAndNeverFiresACaseTwice() {
        Stage st = s.stage(bob, "widget", "1.1.0"); // a new publisher
        s.clock.advance(Duration.ofMinutes(16));
        assertEquals(2, s.airlock.alerts.evaluate(), "newPublisher and the reminder");
        Map<String, String> flags = Map.of("data.dir", s.dir.toString(), "alerts.stageWaiting.escalateTo", "olga");
        try (dev.airlock.AirlockAssembly second = new dev.airlock.AirlockAssembly(
                dev.airlock.platform.config.ConfigLoader.load(null, Map.of(), flags), s.clock)) {
            assertEquals(0, second.alerts.evaluate(), "the same cases, seen from a second node");
            s.publish(alice, "widget", "1.0.1");
            assertEquals(1, second.alerts.evaluate());
            assertEquals(0, s.airlock.alerts.evaluate(), "the first node does not fire it again");
            s.clock.advance(Duration.ofMinutes(15));
            assertEquals(1, second.alerts.evaluate() + s.airlock.alerts.evaluate(), "one escalation between them");
        }
        assertEquals("escalation", only("stageWaiting").level());
        assertEquals(st.id(), only("stageWaiting").caseKey());
        assertThat(alertEvents())
                .filteredOn(e -> e.action().equals("alert.fire"))
                .hasSize(5);
    }

    void wrongPassword() {
        try {
            s.airlock.users.login(Actor.anonymous("127.0.0.1"), "alice", "wrong-password", null);
        } catch (AirlockException expected) {
            assertEquals(ErrorCode.LOGIN_FAILED, expected.code());
        }
    }
}
