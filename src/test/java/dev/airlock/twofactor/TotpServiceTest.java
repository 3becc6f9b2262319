package dev.airlock.twofactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.airlock.AirlockAssembly;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.RateLimited;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authenticator-app factor's rules against a temporary SQLite database and the real services: enrolment in npm's
 * two steps, codes single use (replays refused and not counted), throttling after {@code twofactor.maxFailures}
 * wrong codes (429 with a Retry-After), recovery codes single use. Each test has its own user; time is a
 * {@link MutableClock} that {@link Authenticator#next()} moves to a fresh 30-second step.
 */
class TotpServiceTest {
    static Path dir;
    static MutableClock clock = new MutableClock();
    static AirlockAssembly airlock;
    static TwoFactorService twoFactor;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("airlock-totp");
        airlock = new AirlockAssembly(
                ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of("data.dir", dir.toString(), "server.publicUrl", "http://localhost:4873")),
                clock);
        twoFactor = airlock.twoFactor;
    }

    @AfterAll
    static void tearDown() {
        airlock.close();
    }

    static Actor actor(String user) {
        airlock.users.add(Actor.operator(), user, user + "@example.com", user + "-password-long", false);
        return new Actor(user, "session", "k-" + user, "127.0.0.1");
    }

    /** Enrols and confirms {@code mode}; returns the user's authenticator app. */
    static Authenticator enrolled(Actor a, String mode, List<String> recoveryOut) {
        String url = twoFactor.totp().enrol(a, mode).orElseThrow();
        Authenticator app = new Authenticator(url.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"), clock);
        recoveryOut.addAll(twoFactor.totp().confirm(a, app.next()));
        return app;
    }

    static AirlockException refusal(Runnable r) {
        AirlockException e = catchThrowableOfType(AirlockException.class, r::run);
        assertThat(e).as("a refusal").isNotNull();
        return e;
    }

    @Test
    void enrolThenConfirmThenEachCodeWorksOnce() {
        Actor a = actor("ann");
        String url = twoFactor.totp().enrol(a, "auth-and-writes").orElseThrow();
        assertThat(url).startsWith("otpauth://totp/Airlock%3Aann?secret=").contains("&digits=6&period=30");
        assertThat(twoFactor.totp().status("ann")).contains(new TwoFactorStatus("auth-and-writes", true));
        assertThat(twoFactor.enabled("ann")).isFalse();
        Authenticator app = new Authenticator(url.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"), clock);

        // a pending secret is no factor yet: its code does not pass as one, and a write needs no code
        assertThat(refusal(() -> twoFactor.verify(a.withOtp(app.next()), "publish x", false))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(twoFactor.requireForWrite(a)).isNull();

        assertThat(refusal(() -> twoFactor.totp().confirm(a, "000000x")).getMessage())
                .contains("wrong or was already used");
        List<String> recovery = twoFactor.totp().confirm(a, app.next());
        assertThat(recovery)
                .hasSize(10)
                .allMatch(c -> c.matches("[a-z0-9]{12}"))
                .doesNotHaveDuplicates();
        assertThat(twoFactor.enabled("ann")).isTrue();
        assertThat(refusal(() -> twoFactor.totp().confirm(a, app.next())))
                .hasMessageContaining("no two-factor setup to confirm");

        String code = app.next();
        assertThat(twoFactor.verify(a.withOtp(code), "publish x", false)).isEqualTo(TwoFactorService.TOTP);
        AirlockException replay = refusal(() -> twoFactor.verify(a.withOtp(code), "publish x", false));
        assertThat(replay.code()).isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(replay).hasMessageContaining("already used; each code works once");
        // an older code of the window is refused too once a later step was accepted
        String earlier = app.code(clock.millis() / 30_000 - 1);
        assertThat(refusal(() -> twoFactor.verify(a.withOtp(earlier), "publish x", false)))
                .hasMessageContaining("already used");
        // a write without a code is asked for one (auth-and-writes)
        assertThat(refusal(() -> twoFactor.requireForWrite(a))).hasMessageContaining("pass --otp=<code>");
        assertThat(twoFactor.requireForWrite(a.withOtp(app.next()))).isEqualTo(TwoFactorService.TOTP);
    }

    @Test
    void authOnlyAsksAtLoginNotForWrites() {
        Actor a = actor("ola");
        Authenticator app = enrolled(a, "auth-only", new java.util.ArrayList<>());
        assertThat(twoFactor.requireForWrite(a)).isNull();
        assertThatThrownBy(() -> twoFactor.requireForLogin(a)).hasMessageContaining("to log in, pass --otp=<code>");
        twoFactor.requireForLogin(a.withOtp(app.next()));
        // changing the mode needs a code; then writes ask for one
        assertThat(refusal(() -> twoFactor.totp().enrol(a, "auth-and-writes")).code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(twoFactor.totp().enrol(a.withOtp(app.next()), "auth-and-writes"))
                .isEmpty();
        assertThat(twoFactor.totp().status("ola")).contains(new TwoFactorStatus("auth-and-writes", false));
        assertThat(refusal(() -> twoFactor.totp().enrol(a, "writes-only")))
                .hasMessageContaining("use auth-only or auth-and-writes");
    }

    @Test
    void wrongCodesAreThrottledThenAgeOut() {
        Actor a = actor("tom");
        Authenticator app = enrolled(a, "auth-and-writes", new java.util.ArrayList<>());
        // replays are not guesses: they do not count toward throttling
        String used = app.next();
        twoFactor.verify(a.withOtp(used), "publish x", false);
        for (int i = 0; i < 6; i++) {
            assertThat(refusal(() -> twoFactor.verify(a.withOtp(used), "publish x", false)))
                    .hasMessageContaining("already used");
        }
        String wrong = app.code(clock.millis() / 30_000 + 5); // a real code of the secret, far outside the window
        for (int i = 0; i < 5; i++) {
            AirlockException e = refusal(() -> twoFactor.verify(a.withOtp(wrong), "publish x", false));
            assertThat(e.code()).isEqualTo(ErrorCode.OTP_REQUIRED);
            assertThat(e).hasMessageContaining("wrong or was already used");
        }
        // the sixth attempt is refused before the code is looked at, even a right one, and the right one stays unused
        String right = app.next();
        RateLimited limited =
                catchThrowableOfType(RateLimited.class, () -> twoFactor.verify(a.withOtp(right), "publish x", false));
        assertThat(limited.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
        assertThat(limited.code().status()).isEqualTo(429);
        assertThat(limited.retryAfterSeconds()).isBetween(1L, 15 * 60L);
        assertThat(limited).hasMessageStartingWith("Too many wrong one-time passwords for this account. Try again in ");
        // another account is not throttled by tom's failures
        Actor b = actor("tim");
        Authenticator other = enrolled(b, "auth-and-writes", new java.util.ArrayList<>());
        assertThat(twoFactor.verify(b.withOtp(other.next()), "publish x", false))
                .isEqualTo(TwoFactorService.TOTP);

        clock.advance(Duration.ofMinutes(15));
        assertThat(twoFactor.totp().purgeFailures()).isGreaterThanOrEqualTo(5);
        assertThat(twoFactor.verify(a.withOtp(app.next()), "publish x", false)).isEqualTo(TwoFactorService.TOTP);
    }

    @Test
    void recoveryCodesWorkOnceEach() {
        Actor a = actor("rae");
        List<String> recovery = new java.util.ArrayList<>();
        Authenticator app = enrolled(a, "auth-and-writes", recovery);
        assertThat(twoFactor.verify(a.withOtp(recovery.get(0)), "publish x", false))
                .isEqualTo(TwoFactorService.RECOVERY_CODE);
        assertThat(refusal(() -> twoFactor.verify(a.withOtp(recovery.get(0)), "publish x", false))
                        .code())
                .isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(twoFactor.verify(a.withOtp(" " + recovery.get(1) + " "), "publish x", false))
                .isEqualTo(TwoFactorService.RECOVERY_CODE);
        // another account's recovery code is no code here
        List<String> others = new java.util.ArrayList<>();
        enrolled(actor("rob"), "auth-and-writes", others);
        assertThat(refusal(() -> twoFactor.verify(a.withOtp(others.get(0)), "publish x", false)))
                .hasMessageContaining("wrong");
        // a re-enrolment (after disabling) replaces the codes: the old ones stop working
        twoFactor.totp().disable(a.withOtp(app.next()));
        assertThat(twoFactor.totp().status("rae")).isEmpty();
        assertThat(twoFactor.enabled("rae")).isFalse();
        List<String> fresh = new java.util.ArrayList<>();
        enrolled(a, "auth-and-writes", fresh);
        assertThat(refusal(() -> twoFactor.verify(a.withOtp(recovery.get(2)), "publish x", false)))
                .hasMessageContaining("wrong");
        assertThat(twoFactor.verify(a.withOtp(fresh.get(0)), "publish x", false))
                .isEqualTo(TwoFactorService.RECOVERY_CODE);
    }

    @Test
    void disablingNeedsACodeUnlessStillPending() {
        Actor a = actor("dan");
        assertThat(refusal(() -> twoFactor.totp().disable(a))).hasMessage("Two-factor authentication is not enabled.");
        twoFactor.totp().enrol(a, "auth-only");
        twoFactor.totp().disable(a); // a setup never confirmed goes without a code
        assertThat(twoFactor.totp().status("dan")).isEmpty();
        Authenticator app = enrolled(a, "auth-only", new java.util.ArrayList<>());
        assertThat(refusal(() -> twoFactor.totp().disable(a)).code()).isEqualTo(ErrorCode.OTP_REQUIRED);
        assertThat(twoFactor.enabled("dan")).isTrue();
        twoFactor.totp().disable(a.withOtp(app.next()));
        assertThat(twoFactor.enabled("dan")).isFalse();
        assertThat(twoFactor.profileStatus("dan")).isEmpty();
    }
}
