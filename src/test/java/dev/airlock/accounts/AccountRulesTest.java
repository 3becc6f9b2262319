package dev.airlock.accounts;

import static dev.airlock.testing.Services.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.shared.Actor;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.RateLimited;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Services;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The accounts feature's rules on a temporary SQLite database: names, emails, passwords, login and its throttle. */
class AccountRulesTest {
    Services s;
    UserService users;

    @BeforeEach
    void setUp() {
        s = Services.start(Map.of("auth.maxPasswordFailures", "3", "auth.passwordFailureWindowMinutes", "15"));
        users = s.airlock.users;
        s.user("alice");
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    static Actor from(String ip) {
        return Actor.anonymous(ip);
    }

    @Test
    void accountsNeedAValidNameEmailAndPassword() {
        Actor op = Actor.operator();
        fails(
                ErrorCode.BAD_REQUEST,
                "Invalid user name \"Bob\": use lowercase letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit.",
                () -> users.add(op, "Bob", "bob@example.com", "long-enough", false));
        fails(
                ErrorCode.BAD_REQUEST,
                "Invalid email address \"bob\".",
                () -> users.add(op, "bob", "bob", "long-enough", false));
        fails(
                ErrorCode.BAD_REQUEST,
                "Passwords must be 8 to 1024 characters long.",
                () -> users.add(op, "bob", "bob@example.com", "short", false));
        fails(
                ErrorCode.CONFLICT,
                "User \"alice\" already exists.",
                () -> users.add(op, "alice", "other@example.com", "long-enough", false));
        users.add(op, "bob", "bob@example.com", "12345678", false);
        assertEquals("bob@example.com", users.require("bob").email());
        fails(ErrorCode.NOT_FOUND, "User \"carol\" not found.", () -> users.require("carol"));
    }

    @Test
    void loginChecksThePasswordAndIssuesASession() {
        fails(
                ErrorCode.LOGIN_FAILED,
                "Incorrect username or password.",
                () -> users.login(from("10.0.0.1"), "alice", "wrong-password", null));
        fails(
                ErrorCode.LOGIN_FAILED,
                "Incorrect username or password. New accounts are created by an administrator"
                        + " (self-registration is off).",
                () -> users.login(from("10.0.0.1"), "nobody", "whatever-pass", "n@example.com"));
        fails(
                ErrorCode.BAD_REQUEST,
                "Both a user name and a password are required.",
                () -> users.login(from("10.0.0.1"), "alice", null, null));
        String secret = users.login(from("10.0.0.1"), "alice", "alice-password-long", null)
                .secret();
        assertEquals("alice", s.airlock.tokens.resolve(secret, "10.0.0.1").user());
        assertEquals("session", s.airlock.tokens.resolve(secret, "10.0.0.1").kind());
    }

    @Test
    void loginWithTwoFactorNeedsACode() {
        Authenticator app = s.enableTotp("alice", "auth-only");
        fails(
                ErrorCode.OTP_REQUIRED,
                "This operation requires a one-time password: to log in, pass --otp=<code> from your"
                        + " authenticator app.",
                () -> users.login(from("10.0.0.1"), "alice", "alice-password-long", null));
        String secret = users.login(from("10.0.0.1").withOtp(app.next()), "alice", "alice-password-long", null)
                .secret();
        assertEquals("alice", s.airlock.tokens.resolve(secret, "10.0.0.1").user());
    }

    @Test
    void wrongPasswordsAreThrottledPerAddressUntilTheyAgeOut() {
        for (int i = 0; i < 3; i++) {
            assertFalse(users.checkPassword("alice", "wrong-" + i, "10.0.0.1"));
        }
        RateLimited limited =
                assertThrows(RateLimited.class, () -> users.checkPassword("alice", "alice-password-long", "10.0.0.1"));
        assertEquals(ErrorCode.TOO_MANY_REQUESTS, limited.code());
        assertTrue(
                limited.retryAfterSeconds() > 14 * 60 && limited.retryAfterSeconds() <= 15 * 60, limited.getMessage());
        assertEquals(
                "Too many wrong passwords for this account from your address. Try again in "
                        + limited.retryAfterSeconds() + " seconds.",
                limited.getMessage());
        // another address is not locked out by these guesses, and its right password clears only its own failures
        assertTrue(users.checkPassword("alice", "alice-password-long", "10.0.0.2"));
        s.clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertTrue(users.checkPassword("alice", "alice-password-long", "10.0.0.1"));
    }

    @Test
    void aRightPasswordClearsTheAddressFailures() {
        assertFalse(users.checkPassword("alice", "wrong-1", "10.0.0.1"));
        assertFalse(users.checkPassword("alice", "wrong-2", "10.0.0.1"));
        assertTrue(users.checkPassword("alice", "alice-password-long", "10.0.0.1"));
        assertFalse(users.checkPassword("alice", "wrong-3", "10.0.0.1"));
        assertFalse(users.checkPassword("alice", "wrong-4", "10.0.0.1"));
        assertTrue(users.checkPassword("alice", "alice-password-long", "10.0.0.1"));
    }

    @Test
    void manyAddressesTogetherLockTheAccount() {
        for (int i = 0; i < 30; i++) {
            users.checkPassword("alice", "wrong", "10.1.0." + i);
        }
        RateLimited limited =
                assertThrows(RateLimited.class, () -> users.checkPassword("alice", "alice-password-long", "10.9.9.9"));
        assertTrue(
                limited.getMessage().startsWith("Too many wrong passwords for this account. Try again in "),
                limited.getMessage());
    }

    @Test
    void passwordChangesNeedTheCurrentOne() {
        Actor alice = Services.session("alice");
        fails(
                ErrorCode.FORBIDDEN,
                "The current password is incorrect.",
                () -> users.changePassword(alice, "nope-nope", "new-password-1"));
        fails(
                ErrorCode.BAD_REQUEST,
                "Passwords must be 8 to 1024 characters long.",
                () -> users.changePassword(alice, "alice-password-long", "short"));
        users.changePassword(alice, "alice-password-long", "new-password-1");
        assertTrue(users.checkPassword("alice", "new-password-1", "10.0.0.3"));
        assertFalse(users.checkPassword("alice", "alice-password-long", "10.0.0.3"));
    }

    @Test
    void profileFieldsAreValidated() {
        Actor alice = Services.session("alice");
        fails(
                ErrorCode.BAD_REQUEST,
                "Invalid email address \"not-an-email\".",
                () -> users.updateProfile(alice, Map.of("email", "not-an-email")));
        fails(
                ErrorCode.BAD_REQUEST,
                "The value of fullname is too long.",
                () -> users.updateProfile(alice, Map.of("fullname", "x".repeat(1001))));
        assertEquals(
                "Alice A.",
                users.updateProfile(alice, Map.of("fullname", "Alice A.")).fullname());
    }
}
