package dev.airlock.twofactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.airlock.AirlockAssembly;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.KeyChallenge;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.SoftwareKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * npm's web OTP and the console's key step-up against a temporary SQLite database, with a {@link SoftwareKey} in
 * place of a browser's authenticator (its assertions go through the real WebAuthn verification). A confirmed code
 * is bound to its operation, its user and the credential that ran the command; it works once and expires.
 */
class WebOtpServiceTest {
    static final String CONSOLE = "http://localhost:4873";
    static Path dir;
    static MutableClock clock = new MutableClock();
    static AirlockAssembly airlock;
    static TwoFactorService twoFactor;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("airlock-webotp");
        airlock = new AirlockAssembly(
                ConfigLoader.load(null, Map.of(), Map.of("data.dir", dir.toString(), "server.publicUrl", CONSOLE)),
                clock);
        twoFactor = airlock.twoFactor;
    }

    @AfterAll
    static void tearDown() {
        airlock.close();
    }

    /** A user whose only factor is {@code key}, acting with the token {@code "t-" + user}. */
    static Actor keyUser(String user, SoftwareKey key) {
        airlock.users.add(Actor.operator(), user, user + "@example.com", user + "-password-long", false);
        long now = clock.millis();
        airlock.db.write(tx -> {
            tx.handle()
                    .execute(
                            "INSERT INTO security_keys (credential_id, user_name, user_handle, public_key_cose, signature_count,"
                                    + " nickname, created_at) VALUES (?, ?, ?, ?, 0, 'software key', ?)",
                            key.credentialId(),
                            user,
                            key.userHandle(),
                            key.publicKeyCose(),
                            now);
            return null;
        });
        return new Actor(user, "session", "t-" + user, "127.0.0.1");
    }

    static AirlockException refusal(Runnable r) {
        AirlockException e = catchThrowableOfType(AirlockException.class, r::run);
        assertThat(e).as("a refusal").isNotNull();
        return e;
    }

    static KeyChallenge challenge(Actor a, String what) {
        KeyChallenge c = catchThrowableOfType(KeyChallenge.class, () -> twoFactor.verify(a, what, false));
        assertThat(c).as("a web-OTP challenge").isNotNull();
        return c;
    }

    static String tail(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The user opens the authUrl and confirms with the key; returns the code npm's poll collects. */
    static String confirm(Actor a, SoftwareKey key, KeyChallenge c) {
        String authId = tail(c.authUrl());
        SecurityKeys.Ceremony ceremony =
                twoFactor.keys().startAssertion(a.user(), "confirm:" + authId).orElseThrow();
        twoFactor.webOtp().confirmWithKey(a, authId, ceremony.id(), key.answer(ceremony.browserJson(), CONSOLE));
        return twoFactor.webOtp().pollConfirmation(tail(c.doneUrl()), a);
    }

    @Test
    void aConfirmedCodeIsBoundToItsOperationAndWorksOnce() {
        SoftwareKey key = new SoftwareKey();
        Actor kim = keyUser("kim", key);
        assertThat(twoFactor.enabled("kim")).isTrue();
        assertThat(twoFactor.profileStatus("kim")).contains(new TwoFactorStatus("auth-and-writes", false));

        KeyChallenge c = challenge(kim, "approve a@1");
        assertThat(c.code()).isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(c.authUrl()).startsWith(CONSOLE + "/-/console/confirm/");
        assertThat(c.doneUrl()).startsWith(CONSOLE + "/-/airlock/v1/confirm/");
        assertThat(c)
                .hasMessage(
                        "This operation requires a one-time password: to approve a@1, confirm with your security key in the"
                                + " browser. Open " + c.authUrl() + " to confirm.");
        String authId = tail(c.authUrl());
        var pending = twoFactor.webOtp().pendingConfirmation("kim", authId).orElseThrow();
        assertThat(pending.operation()).isEqualTo("approve a@1");
        assertThat(pending.confirmed()).isFalse();
        assertThat(twoFactor.webOtp().pendingConfirmation("someone-else", authId))
                .isEmpty();
        // npm polls before the user confirmed: nothing yet; a poll with another credential learns nothing
        assertThat(twoFactor.webOtp().pollConfirmation(tail(c.doneUrl()), kim)).isNull();
        assertThat(refusal(() -> twoFactor
                                .webOtp()
                                .pollConfirmation(tail(c.doneUrl()), new Actor("kim", "session", "other", null)))
                        .code())
                .isEqualTo(ErrorCode.NOT_FOUND);

        String code = confirm(kim, key, c);
        assertThat(code).startsWith("airlock-key-");
        assertThat(twoFactor
                        .webOtp()
                        .pendingConfirmation("kim", authId)
                        .orElseThrow()
                        .confirmed())
                .isTrue();
        // collected once
        assertThat(refusal(() -> twoFactor.webOtp().pollConfirmation(tail(c.doneUrl()), kim)))
                .hasMessageContaining("already collected");

        // bound to the operation, the user and the credential; a refusal does not use the code up
        assertThat(refusal(() -> twoFactor.verify(kim.withOtp(code), "approve a@2", false)))
                .hasMessageContaining("not valid for this request");
        assertThat(refusal(() -> twoFactor.verify(
                                new Actor("kim", "session", "other", null, code), "approve a@1", false))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(twoFactor.verify(kim.withOtp(code), "approve a@1", false)).isEqualTo(TwoFactorService.SECURITY_KEY);
        assertThat(refusal(() -> twoFactor.verify(kim.withOtp(code), "approve a@1", false)))
                .hasMessageContaining("it works once, for the request that asked for it, within two minutes");
    }

    @Test
    void codesAndPendingRequestsExpire() {
        SoftwareKey key = new SoftwareKey();
        Actor kai = keyUser("kai", key);
        String code = confirm(kai, key, challenge(kai, "publish b@1"));
        clock.advance(Duration.ofMillis(WebOtpService.CODE_MILLIS + 1000));
        assertThat(refusal(() -> twoFactor.verify(kai.withOtp(code), "publish b@1", false)))
                .hasMessageContaining("not valid");

        KeyChallenge late = challenge(kai, "publish b@2");
        clock.advance(Duration.ofMillis(WebOtpService.CHALLENGE_MILLIS + 1000));
        assertThat(twoFactor.webOtp().pendingConfirmation("kai", tail(late.authUrl())))
                .isEmpty();
        assertThat(refusal(() -> confirm(kai, key, late))).hasMessageContaining("has expired or is not yours");
        assertThat(refusal(() -> twoFactor.webOtp().pollConfirmation(tail(late.doneUrl()), kai))
                        .code())
                .isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void aRequestIsConfirmedOnceAndOnlyByItsOwnersKey() {
        SoftwareKey key = new SoftwareKey();
        SoftwareKey strangersKey = new SoftwareKey();
        Actor kit = keyUser("kit", key);
        Actor eve = keyUser("eve", strangersKey);
        KeyChallenge c = challenge(kit, "publish c@1");
        String authId = tail(c.authUrl());
        // another user cannot even see it
        assertThat(refusal(() -> confirm(eve, strangersKey, c)).code()).isEqualTo(ErrorCode.NOT_FOUND);
        // an assertion made for something else does not confirm it
        SecurityKeys.Ceremony signIn =
                twoFactor.keys().startAssertion("kit", "sign-in").orElseThrow();
        assertThat(refusal(() -> twoFactor
                        .webOtp()
                        .confirmWithKey(kit, authId, signIn.id(), key.answer(signIn.browserJson(), CONSOLE))))
                .hasMessageContaining("was for something else");
        // nor does an answer made at another origin
        SecurityKeys.Ceremony elsewhere =
                twoFactor.keys().startAssertion("kit", "confirm:" + authId).orElseThrow();
        assertThat(refusal(() -> twoFactor
                        .webOtp()
                        .confirmWithKey(
                                kit,
                                authId,
                                elsewhere.id(),
                                key.answer(elsewhere.browserJson(), "http://127.0.0.1:4873"))))
                .hasMessageContaining("another web address");
        assertThat(confirm(kit, key, c)).startsWith("airlock-key-");
        assertThat(refusal(() -> confirm(kit, key, c)).code()).isEqualTo(ErrorCode.CONFLICT);
    }

    @Test
    void keyOnlyPolicyRefusesAppCodesAndAsksForTheKey() {
        SoftwareKey key = new SoftwareKey();
        Actor kay = keyUser("kay", key);
        KeyChallenge c = catchThrowableOfType(
                KeyChallenge.class, () -> twoFactor.verify(kay.withOtp("123456"), "approve d@1", true));
        assertThat(c)
                .hasMessageStartingWith(
                        "To approve d@1, confirm with your security key: this package's policy does not accept"
                                + " codes from an authenticator app.");
        assertThat(twoFactor.verify(kay.withOtp(confirm(kay, key, c)), "approve d@1", true))
                .isEqualTo(TwoFactorService.SECURITY_KEY);
    }

    @Test
    void aConsoleStepUpCodeWorksOnceWithinAMinute() {
        SoftwareKey key = new SoftwareKey();
        Actor kes = keyUser("kes", key);
        SecurityKeys.Ceremony c =
                twoFactor.keys().startAssertion("kes", "remove-key:x").orElseThrow();
        String code = twoFactor.keys().stepUp(kes, c.id(), key.answer(c.browserJson(), CONSOLE), "remove-key:x");
        assertThat(twoFactor.verify(kes.withOtp(code), "make changes", false)).isEqualTo(TwoFactorService.SECURITY_KEY);
        assertThat(refusal(() -> twoFactor.verify(kes.withOtp(code), "make changes", false))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);

        SecurityKeys.Ceremony again =
                twoFactor.keys().startAssertion("kes", "remove-key:x").orElseThrow();
        String stale =
                twoFactor.keys().stepUp(kes, again.id(), key.answer(again.browserJson(), CONSOLE), "remove-key:x");
        clock.advance(Duration.ofMillis(KeyCodes.STEP_UP_MILLIS + 1000));
        assertThat(refusal(() -> twoFactor.verify(kes.withOtp(stale), "make changes", false))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);

        // a key of another account does not step up this one
        SoftwareKey other = new SoftwareKey();
        keyUser("kev", other);
        SecurityKeys.Ceremony forKev =
                twoFactor.keys().startAssertion("kev", "remove-key:x").orElseThrow();
        assertThat(refusal(() -> twoFactor
                        .keys()
                        .stepUp(kes, forKev.id(), other.answer(forKev.browserJson(), CONSOLE), "remove-key:x")))
                .hasMessage("That security key belongs to another account.");
    }

    @Test
    void removingAKeyNeedsTheKey() {
        SoftwareKey key = new SoftwareKey();
        Actor kol = keyUser("kol", key);
        assertThat(twoFactor.keys().list("kol"))
                .extracting(SecurityKey::nickname)
                .containsExactly("software key");
        KeyChallenge c = challenge(kol, "remove a security key");
        assertThat(catchThrowableOfType(
                        KeyChallenge.class, () -> twoFactor.keys().remove(kol, key.credentialId())))
                .isNotNull();
        assertThat(twoFactor.keys().any("kol")).isTrue();
        SecurityKeys.Ceremony s =
                twoFactor.keys().startAssertion("kol", "remove-key").orElseThrow();
        String code = twoFactor.keys().stepUp(kol, s.id(), key.answer(s.browserJson(), CONSOLE), "remove-key");
        assertThat(refusal(() -> twoFactor.keys().remove(kol.withOtp(code), "no-such-key"))
                        .code())
                .isEqualTo(ErrorCode.NOT_FOUND);
        // the refusal came after the code was used: removal needs a new one
        assertThat(refusal(() -> twoFactor.keys().remove(kol.withOtp(code), key.credentialId()))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);
        twoFactor.keys().remove(kol.withOtp(confirm(kol, key, c)), key.credentialId());
        assertThat(twoFactor.keys().any("kol")).isFalse();
        assertThat(twoFactor.enabled("kol")).isFalse();
    }
}
