package dev.airlock.console;

import dev.airlock.accounts.UserService;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Console sessions: sign-in with password and (when enrolled) a second factor, a fresh random session id at every
 * sign-in and step-up (the old one is deleted), a CSRF token per session, and a short lifetime.
 */
public final class ConsoleService {
    static final Duration LIFETIME = Duration.ofHours(8);
    private final Database db;
    private final SessionStore store;
    private final UserService users;
    private final TwoFactorService twoFactor;
    private final AuditService audit;
    private final Clock clock;

    ConsoleService(
            Database db,
            SessionStore store,
            UserService users,
            TwoFactorService twoFactor,
            AuditService audit,
            Clock clock) {
        this.db = db;
        this.store = store;
        this.users = users;
        this.twoFactor = twoFactor;
        this.audit = audit;
        this.clock = clock;
    }

    public static ConsoleService create(
            Database db, UserService users, TwoFactorService twoFactor, AuditService audit, Clock clock) {
        return new ConsoleService(db, new JdbiSessionStore(), users, twoFactor, audit, clock);
    }

    /** A new session: the cookie value (shown once) and the session it stands for. */
    public record Opened(String cookie, ConsoleSession session) {}

    /** The outcome of the password step: a session, or (for a user with a security key) the key step to take. */
    public record SignIn(Opened opened, dev.airlock.twofactor.SecurityKeys.Ceremony keyStep) {}

    /** The password step of console sign-in, for the request {@code attempt} (its address and user agent). */
    public SignIn signIn(String user, String password, String otp, Actor attempt) {
        users.requirePasswordSignIn(user);
        if (user == null || password == null || !users.checkPassword(attempt, "console.sign-in", user, password)) {
            throw new AirlockException(ErrorCode.LOGIN_FAILED, "Incorrect username or password.");
        }
        if (otp == null || otp.isBlank()) {
            var keyStep = twoFactor.keys().startAssertion(user, "sign-in");
            if (keyStep.isPresent()) {
                return new SignIn(null, keyStep.get());
            }
        }
        Actor who = attempt.withOtp(otp == null || otp.isBlank() ? null : otp.trim())
                .as(user, "password");
        twoFactor.requireForLogin(who);
        return new SignIn(open(who, null, "console.sign-in"), null);
    }

    /** Sign-in with a passkey alone (discoverable credential, user verified by the authenticator). */
    public Opened signInWithPasskey(String ceremony, String credential, Actor attempt) {
        String user = twoFactor.keys().signInWithPasskey(ceremony, credential, attempt);
        return open(keyVerified(attempt, user), null, "console.sign-in");
    }

    /** The key step of sign-in: the assertion names the user (the ceremony was only started after their password). */
    public Opened signInWithKey(String ceremony, String credential, Actor attempt) {
        String user = twoFactor.keys().signInWithKey(ceremony, credential, attempt);
        return open(keyVerified(attempt, user), null, "console.sign-in");
    }

    private static Actor keyVerified(Actor attempt, String user) {
        Actor who = attempt.as(user, "password");
        who.facts().verified(TwoFactorService.SECURITY_KEY);
        return who;
    }

    /**
     * Sign-in through an identity provider (the sso feature verified it): the provider vouches for the person and for
     * whatever factors it asked for; a new session.
     */
    public Opened signInWithSso(String user, Actor attempt) {
        return open(attempt.as(user, "sso"), null, "console.sign-in");
    }

    /** After a step-up (a fresh factor for an approval), the session id changes. */
    public Opened rotate(Actor actor, String oldCookie) {
        return open(actor, oldCookie, "console.rotate");
    }

    private Opened open(Actor actor, String oldCookie, String action) {
        String cookie = Secrets.base62(43);
        String csrf = Secrets.base62(32);
        long now = clock.millis();
        ConsoleSession session = new ConsoleSession(actor.user(), csrf, now + LIFETIME.toMillis());
        db.write(tx -> {
            users.requireActive(tx, actor.user());
            if (oldCookie != null) {
                store.delete(tx, Hashes.sha256Hex(oldCookie));
            }
            store.insert(tx, Hashes.sha256Hex(cookie), actor.user(), csrf, now, session.expiresAt());
            if (oldCookie == null) {
                audit.record(tx, actor, action, "user:" + actor.user(), Map.of());
            }
            return null;
        });
        return new Opened(cookie, session);
    }

    /** Was the session opened (signed in, or stepped up with a fresh factor) within {@code within}? */
    public boolean recent(ConsoleSession s, Duration within) {
        return s.expiresAt() - LIFETIME.toMillis() >= clock.millis() - within.toMillis();
    }

    /** The server's time (the registry's clock), for the console's relative dates. */
    public long now() {
        return clock.millis();
    }

    public ConsoleSession resolve(String cookie) {
        if (cookie == null || cookie.length() != 43) {
            return null;
        }
        return db.read(tx -> store.find(tx, Hashes.sha256Hex(cookie), clock.millis()));
    }

    /** Ends every console session of {@code user} in the caller's transaction (deactivation); how many ended. */
    public int endSessionsOf(dev.airlock.platform.db.Tx tx, String user) {
        return store.deleteFor(tx, user);
    }

    public void signOut(String cookie) {
        if (cookie != null) {
            db.write(tx -> {
                store.delete(tx, Hashes.sha256Hex(cookie));
                return null;
            });
        }
    }
}
