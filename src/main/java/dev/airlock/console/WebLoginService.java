package dev.airlock.console;

import dev.airlock.accounts.UserService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.tokens.IssuedToken;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * npm's web login: the CLI asks for a login session, prints its loginUrl and polls its doneUrl; the person signs in
 * at loginUrl in a browser (password and, when enrolled, a second factor); the next poll receives a new npm token,
 * exactly once. Sessions expire after ten minutes. Only a hash of the session secret is stored; the issued token is
 * kept encrypted until it is collected.
 */
public final class WebLoginService {
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private final Database db;
    private final WebLoginStore store;
    private final UserService users;
    private final SecretBox box;
    private final Clock clock;

    WebLoginService(Database db, WebLoginStore store, UserService users, SecretBox box, Clock clock) {
        this.db = db;
        this.store = store;
        this.users = users;
        this.box = box;
        this.clock = clock;
    }

    public static WebLoginService create(Database db, UserService users, SecretBox box, Clock clock) {
        return new WebLoginService(db, new JdbiWebLoginStore(), users, box, clock);
    }

    /**
     * A new pending login, asked from {@code source} (address) with {@code userAgent} (the client's User-Agent, cut
     * to 200 characters); returns its secret id (goes into both URLs).
     */
    public String start(String source, String userAgent) {
        String id = Secrets.base62(43);
        long now = clock.millis();
        String agent = userAgent == null ? null : userAgent.length() > 200 ? userAgent.substring(0, 200) : userAgent;
        db.write(tx -> {
            store.insert(tx, Hashes.sha256Hex(id), now, now + LIFETIME.toMillis(), source, agent);
            return null;
        });
        return id;
    }

    private WebLoginStore.Row pending(String id) {
        if (id == null || id.length() != 43) {
            return null;
        }
        WebLoginStore.Row row = db.read(tx -> store.find(tx, Hashes.sha256Hex(id)));
        return row == null || row.expiresAt() <= clock.millis() ? null : row;
    }

    /** Where and when a pending login was asked for: what the login page shows so the user can tell it is theirs. */
    public record Request(long createdAt, String source, String userAgent) {}

    /** The pending login behind a login URL, unless it expired or its token was issued already. */
    public Optional<Request> request(String id) {
        WebLoginStore.Row row = pending(id);
        return row == null || row.tokenSealed() != null
                ? Optional.empty()
                : Optional.of(new Request(row.createdAt(), row.source(), row.userAgent()));
    }

    /** The browser side: checks the password and the second factor, then issues the token for the CLI to collect. */
    public void complete(String id, String user, String password, String otp, Actor attempt) {
        WebLoginStore.Row row = pending(id);
        if (row == null || row.tokenSealed() != null) {
            throw AirlockException.notFound("This login link has expired or was already used. Run `npm login` again.");
        }
        Actor anonymous = attempt.withOtp(otp == null || otp.isBlank() ? null : otp.trim());
        IssuedToken issued = users.login(anonymous, user, password, null);
        db.write(tx -> {
            store.complete(tx, row.idHash(), user, box.seal(issued.secret(), row.idHash()));
            return null;
        });
    }

    /** The browser side for a user already signed in to the console (with a fresh factor in actor.otp). */
    public void completeForSession(String id, Actor actor) {
        WebLoginStore.Row row = pending(id);
        if (row == null || row.tokenSealed() != null) {
            throw AirlockException.notFound("This login link has expired or was already used. Run `npm login` again.");
        }
        IssuedToken issued = users.loginFromConsole(actor);
        db.write(tx -> {
            store.complete(tx, row.idHash(), actor.user(), box.seal(issued.secret(), row.idHash()));
            return null;
        });
    }

    /** Drops the web logins completed for {@code user} whose token npm has not collected yet (deactivation). */
    public int dropFor(dev.airlock.platform.db.Tx tx, String user) {
        return store.deleteFor(tx, user);
    }

    /** The CLI's poll: null while pending; the token once; a 404 for unknown or expired sessions. */
    public String poll(String id) {
        WebLoginStore.Row row = pending(id);
        if (row == null) {
            throw AirlockException.notFound("This login session has expired or does not exist. Run `npm login` again.");
        }
        if (row.tokenSealed() == null) {
            return null;
        }
        boolean collected = db.write(tx -> store.delete(tx, row.idHash()));
        if (!collected) {
            throw AirlockException.notFound("This login session was already collected.");
        }
        return box.open(row.tokenSealed(), row.idHash());
    }
}
