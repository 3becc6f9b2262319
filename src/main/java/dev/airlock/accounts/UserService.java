package dev.airlock.accounts;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Passwords;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.RateLimited;
import dev.airlock.tokens.IssuedToken;
import dev.airlock.tokens.TokenService;
import dev.airlock.twofactor.TwoFactorService;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Accounts: create users, check passwords, log in (issuing a session token), profiles. */
public final class UserService {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,213}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private final Database db;
    private final UserStore store;
    private final TokenService tokens;
    private final AuditService audit;
    private final Clock clock;
    private final boolean allowSignup;
    private final TwoFactorService twoFactor;
    private final int maxPasswordFailures;
    private final long failureWindowMillis;
    /** The password hash of accounts made from outside (single sign-on): it never verifies. */
    static final String NO_PASSWORD = "!";
    /**
     * The sign-ins a password directory answers for: the console, npm login (legacy and the web login's form), and a
     * password asked again (token creation, two-factor changes); not HTTP Basic credentials on every request.
     */
    private static final java.util.Set<String> DIRECTORY_ACTIONS =
            java.util.Set.of("console.sign-in", "user.login", "user.password-check");

    private volatile boolean passwordSignIn = true;
    private volatile PasswordDirectory directory;

    UserService(
            Database db,
            UserStore store,
            TokenService tokens,
            AuditService audit,
            Clock clock,
            boolean allowSignup,
            TwoFactorService twoFactor,
            int maxPasswordFailures,
            int failureWindowMinutes) {
        this.twoFactor = twoFactor;
        this.maxPasswordFailures = maxPasswordFailures;
        this.failureWindowMillis = failureWindowMinutes * 60_000L;
        this.db = db;
        this.store = store;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
        this.allowSignup = allowSignup;
    }

    public static UserService create(
            Database db,
            TokenService tokens,
            AuditService audit,
            Clock clock,
            boolean allowSignup,
            TwoFactorService twoFactor,
            int maxPasswordFailures,
            int failureWindowMinutes) {
        return new UserService(
                db,
                new JdbiUserStore(),
                tokens,
                audit,
                clock,
                allowSignup,
                twoFactor,
                maxPasswordFailures,
                failureWindowMinutes);
    }

    /**
     * {@code auth.passwordSignIn}: false = no password signs anyone in (console, npm login), people sign in only
     * through single sign-on (docs/sso.md). Set once by the assembly.
     */
    public UserService passwordSignIn(boolean on) {
        this.passwordSignIn = on;
        return this;
    }

    /**
     * {@code auth.ldap.*}: the directory that checks the passwords of names that are not local accounts with a
     * password (docs/sso.md, "LDAP"). Set once by the assembly; null = none.
     */
    public UserService directory(PasswordDirectory directory) {
        this.directory = directory;
        return this;
    }

    /** Whether a password directory is configured. */
    public boolean hasDirectory() {
        return directory != null;
    }

    /** Whether passwords of names without a local password are checked by a directory (LDAP). */
    public boolean usesDirectory() {
        return directory != null;
    }

    /**
     * Refuses a password sign-in (console, npm login with a password) when password sign-in is off, or for an account
     * that signs in through single sign-on, saying what to do instead.
     */
    public void requirePasswordSignIn(String name) {
        if (!passwordSignIn) {
            throw new AirlockException(
                    ErrorCode.LOGIN_FAILED,
                    "Password sign-in is turned off on this registry: sign in with single sign-on. For npm, run"
                            + " `npm login` (the web login, without --auth-type=legacy).");
        }
        if (name != null && directory == null && NO_PASSWORD.equals(db.read(tx -> store.passwordHash(tx, name)))) {
            throw new AirlockException(
                    ErrorCode.LOGIN_FAILED,
                    "The account \"" + name + "\" signs in with single sign-on and has no password. For npm, run"
                            + " `npm login` (the web login, without --auth-type=legacy); in the console, use the"
                            + " \"Sign in with\" button.");
        }
    }

    /** Whether an account of that name exists (inside the caller's transaction). */
    public boolean exists(dev.airlock.platform.db.Tx tx, String name) {
        return store.byName(tx, name) != null;
    }

    /**
     * An account made from outside, in the caller's transaction: by single sign-on on a first sign-in, or pushed by
     * an identity provider (SCIM). No usable password (the hash is a marker that never verifies; the person signs in
     * through single sign-on). Audited as {@code user.create} with its {@code source} ({@code oidc:NAME},
     * {@code scim}).
     */
    public User addExternal(Tx tx, Actor actor, String name, String email, String source) {
        validName(name);
        if (email != null && !email.isEmpty()) {
            validEmail(email);
        }
        if (store.byName(tx, name) != null) {
            throw AirlockException.conflict("User \"" + name + "\" already exists.");
        }
        long now = clock.millis();
        User user = new User(name, email == null ? "" : email, false, null, null, null, null, null, now, now);
        store.insert(tx, user, NO_PASSWORD);
        audit.record(tx, actor, "user.create", "user:" + name, Map.of("admin", false, "source", source));
        return user;
    }

    /**
     * Whether {@code name} is an account made from outside, without a password. One that no identity is linked to yet
     * was pushed by the identity provider (SCIM: accounts made by single sign-on are linked as they are made): the
     * one kind of existing account a first single sign-on may take.
     */
    public boolean external(Tx tx, String name) {
        return NO_PASSWORD.equals(store.passwordHash(tx, name));
    }

    /** Whether {@code email} is an address accounts accept. */
    public static boolean isEmail(String email) {
        return email != null && email.length() <= 254 && EMAIL.matcher(email).matches();
    }

    public static String validName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw AirlockException.badRequest("Invalid user name \"" + name
                    + "\": use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
        return name;
    }

    private static String validEmail(String email) {
        if (!isEmail(email)) {
            throw AirlockException.badRequest("Invalid email address \"" + email + "\".");
        }
        return email;
    }

    private static String validPassword(String password) {
        if (password == null || password.length() < 8 || password.length() > 1024) {
            throw AirlockException.badRequest("Passwords must be 8 to 1024 characters long.");
        }
        return password;
    }

    public User add(Actor actor, String name, String email, String password, boolean admin) {
        validName(name);
        validEmail(email);
        validPassword(password);
        String hash = Passwords.hash(password);
        return db.write(tx -> {
            if (store.byName(tx, name) != null) {
                throw AirlockException.conflict("User \"" + name + "\" already exists.");
            }
            long now = clock.millis();
            User user = new User(name, email, admin, null, null, null, null, null, now, now);
            store.insert(tx, user, hash);
            audit.record(tx, actor, "user.create", "user:" + name, Map.of("admin", admin));
            return user;
        });
    }

    public List<User> list() {
        return db.read(store::all);
    }

    public User find(Tx tx, String name) {
        return store.byName(tx, name);
    }

    public User find(String name) {
        return db.read(tx -> store.byName(tx, name));
    }

    public User require(String name) {
        User user = find(name);
        if (user == null) {
            throw AirlockException.notFound("User \"" + name + "\" not found.");
        }
        return user;
    }

    /**
     * Checks a password tried from {@code source}; false for unknown users (and the same work is done, so timing does
     * not tell). Guesses are throttled before any checking: after {@code maxPasswordFailures} wrong passwords from one
     * address within the window, that address gets 429 for the account until the oldest of them ages out; after ten
     * times as many from all addresses, the account refuses every password until then. A right password clears
     * its address's failures. Wrong passwords for existing accounts are audited.
     */
    public boolean checkPassword(String name, String password, String source) {
        return checkPassword(Actor.anonymous(source), "user.password-check", name, password);
    }

    /**
     * As {@link #checkPassword(String, String, String)} for the request {@code attempt} (its address and user agent)
     * trying to do {@code action}: a wrong or throttled password records {@code action} with outcome failure.
     */
    public boolean checkPassword(Actor attempt, String action, String name, String password) {
        String source = attempt.sourceAddress();
        String from = source == null || source.isEmpty()
                ? "unknown"
                : source.length() > 64 ? source.substring(0, 64) : source;
        List<UserStore.PasswordFailure> recent;
        try {
            recent = throttle(name, from);
        } catch (RateLimited e) {
            db.write(tx -> {
                // like wrong passwords, only attempts on existing accounts are audited (names are not a log's to keep)
                if (store.passwordHash(tx, name) != null) {
                    audit.record(tx, attempt, action, "failure", "user:" + name, Map.of("reason", "throttled"));
                }
                return null;
            });
            throw e;
        }
        String hash = db.read(tx -> store.passwordHash(tx, name));
        boolean ok;
        PasswordDirectory dir = directory;
        if ((hash == null || NO_PASSWORD.equals(hash)) && dir != null && DIRECTORY_ACTIONS.contains(action)) {
            // a local account with a password is checked here; any other name is the directory's to check
            ok = dir.verify(attempt, name, password);
        } else if (hash == null) {
            Passwords.verify(password, Passwords.hash("timing-equaliser"));
            ok = false;
        } else {
            ok = Passwords.verify(password, hash);
        }
        if (ok && db.read(tx -> store.deactivatedAt(tx, name)) != null) {
            // said only to whoever knows the password: a guesser learns nothing about the account
            throw deactivated(name);
        }
        if (ok && recent.stream().anyMatch(f -> f.source().equals(from))) {
            db.write(tx -> {
                store.clearPasswordFailures(tx, name, from);
                return null;
            });
        } else if (!ok) {
            db.write(tx -> {
                store.recordPasswordFailure(tx, name, from, clock.millis());
                if (hash != null) {
                    audit.record(tx, attempt, action, "failure", "user:" + name, Map.of("reason", "wrong password"));
                }
                return null;
            });
        }
        return ok;
    }

    private List<UserStore.PasswordFailure> throttle(String name, String from) {
        long now = clock.millis();
        List<UserStore.PasswordFailure> recent =
                db.read(tx -> store.passwordFailuresSince(tx, name, now - failureWindowMillis));
        List<Long> fromHere = recent.stream()
                .filter(f -> f.source().equals(from))
                .map(UserStore.PasswordFailure::at)
                .toList();
        if (fromHere.size() >= maxPasswordFailures) {
            long retry = RateLimited.secondsUntilOneAgesOut(fromHere, maxPasswordFailures, failureWindowMillis, now);
            throw new RateLimited(
                    "Too many wrong passwords for this account from your address. Try again in " + retry + " seconds.",
                    retry);
        }
        int accountLimit = maxPasswordFailures * 10;
        if (recent.size() >= accountLimit) {
            long retry = RateLimited.secondsUntilOneAgesOut(
                    recent.stream().map(UserStore.PasswordFailure::at).toList(),
                    accountLimit,
                    failureWindowMillis,
                    now);
            throw new RateLimited(
                    "Too many wrong passwords for this account. Try again in " + retry + " seconds.", retry);
        }
        return recent;
    }

    /** Forgets wrong passwords older than the throttling window (the maintenance task calls this). */
    public int purgePasswordFailures() {
        long before = clock.millis() - failureWindowMillis;
        return db.write(tx -> store.purgePasswordFailures(tx, before));
    }

    /**
     * The couch login npm sends (PUT /-/user/org.couchdb.user:NAME): a correct password gets a new session token.
     * An unknown name creates the account only when self-registration is configured.
     */
    public IssuedToken login(Actor actor, String name, String password, String email) {
        if (name == null || password == null) {
            throw AirlockException.badRequest("Both a user name and a password are required.");
        }
        requirePasswordSignIn(name);
        User existing = find(name);
        if (existing == null && directory != null) {
            // maybe a directory user: the directory decides (and makes the account on a first sign-in)
            if (!checkPassword(actor, "user.login", name, password)) {
                throw new AirlockException(ErrorCode.LOGIN_FAILED, "Incorrect username or password.");
            }
        } else if (existing == null) {
            // user names are not secret (packuments name maintainers and publishers): say why adduser is refused
            if (!allowSignup || email == null) {
                throw new AirlockException(
                        ErrorCode.LOGIN_FAILED,
                        "Incorrect username or password."
                                + (allowSignup
                                        ? ""
                                        : " New accounts are created by an administrator (self-registration is off)."));
            }
            add(actor, name, email, password, false);
        } else if (!checkPassword(actor, "user.login", name, password)) {
            throw new AirlockException(ErrorCode.LOGIN_FAILED, "Incorrect username or password.");
        }
        Actor who = actor.as(name, "password");
        twoFactor.requireForLogin(who);
        return db.write(tx -> {
            requireActive(tx, name);
            audit.record(tx, who, "user.login", "user:" + name, Map.of());
            return tokens.issueSession(tx, who, name);
        });
    }

    /**
     * npm's web login confirmed by a user signed in to the console: a fresh second factor when they have one
     * (actor.otp), then a session token.
     */
    public IssuedToken loginFromConsole(Actor actor) {
        if (!actor.interactive() || actor.user() == null) {
            throw AirlockException.forbidden("Only a signed-in user can log npm in.");
        }
        twoFactor.requireForLogin(actor);
        return db.write(tx -> {
            requireActive(tx, actor.user());
            audit.record(tx, actor, "user.login", "user:" + actor.user(), Map.of("via", "console"));
            return tokens.issueSession(tx, actor, actor.user());
        });
    }

    /** Requires the account's current password (two-factor changes ask for it). */
    public void requirePassword(Actor actor, String password) {
        if (!checkPassword(actor, "user.password-check", actor.user(), password)) {
            throw new AirlockException(ErrorCode.LOGIN_FAILED, "Incorrect password.");
        }
    }

    /** npm profile set: the caller asked the policy gate ({@code Action.CHANGE_PROFILE}) when fields change. */
    public User updateProfile(Actor actor, Map<String, String> fields) {
        if (fields.containsKey("email")) {
            validEmail(fields.get("email"));
        }
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getValue() != null && e.getValue().length() > 1000) {
                throw AirlockException.badRequest("The value of " + e.getKey() + " is too long.");
            }
        }
        return db.write(tx -> {
            store.updateProfile(tx, actor.user(), fields, clock.millis());
            audit.record(
                    tx, actor, "user.profile", "user:" + actor.user(), Map.of("fields", List.copyOf(fields.keySet())));
            return store.byName(tx, actor.user());
        });
    }

    public void changePassword(Actor actor, String oldPassword, String newPassword) {
        if (!checkPassword(actor, "user.password", actor.user(), oldPassword)) {
            throw AirlockException.forbidden("The current password is incorrect.");
        }
        String hash = Passwords.hash(validPassword(newPassword));
        db.write(tx -> {
            store.updatePassword(tx, actor.user(), hash, clock.millis());
            audit.record(tx, actor, "user.password", "user:" + actor.user(), Map.of());
            return null;
        });
    }

    // ---- deactivation (docs/deprovisioning.md); deprovisioning.DeprovisioningService revokes the rest ----

    private static AirlockException deactivated(String name) {
        return new AirlockException(
                ErrorCode.LOGIN_FAILED,
                "The account \"" + name + "\" is deactivated and can no longer sign in."
                        + " Ask a registry administrator if this is a mistake.");
    }

    /** Refuses, in the caller's transaction, to let a deactivated account sign in or be issued anything. */
    public void requireActive(Tx tx, String name) {
        if (store.deactivatedAt(tx, name) != null) {
            throw deactivated(name);
        }
    }

    /** When the account was deactivated, or null while it is active (or does not exist). */
    public Long deactivatedAt(Tx tx, String name) {
        return store.deactivatedAt(tx, name);
    }

    public boolean isDeactivated(String name) {
        return db.read(tx -> store.deactivatedAt(tx, name)) != null;
    }

    /** Marks the account deactivated at {@code at}, or active again ({@code null}), in the caller's transaction. */
    public void setDeactivated(Tx tx, String name, Long at) {
        store.setDeactivated(tx, name, at, clock.millis());
    }

    // ---- how long a single sign-on lasts (auth.oidc.NAME.maxSessionAge, docs/sso.md) ----

    /**
     * After a sign-in through an identity provider, in its transaction: every credential of the account (console
     * sessions, npm and granular tokens) is honoured until {@code until} (null: without a limit), when the person
     * must sign in through the provider again.
     */
    public void honourUntil(Tx tx, String name, Long until) {
        store.setSsoUntil(tx, name, until);
    }

    /** Whether the account's single sign-on lapsed: its credentials wait for a new sign-in through the provider. */
    public boolean ssoLapsed(String name) {
        Long until = db.read(tx -> store.ssoUntil(tx, name));
        return until != null && until <= clock.millis();
    }

    /** Active accounts whose single sign-on lapsed and whose lapse is not recorded yet. */
    public List<String> ssoLapsedUnnoted(Tx tx, long now) {
        return store.ssoLapsedUnnoted(tx, now);
    }

    /** Records the account's lapse once: true when this call did. */
    public boolean noteSsoLapsed(Tx tx, String name, long now) {
        return store.noteSsoLapsed(tx, name, now);
    }

    /** Sets the account's e-mail address from an identity provider, in the caller's transaction. */
    public void setEmail(Tx tx, String name, String email) {
        validEmail(email);
        store.updateProfile(tx, name, Map.of("email", email), clock.millis());
    }
}
