package dev.airlock.tokens;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.TokenScope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Bearer tokens: issue (shown once), resolve on each request, list and revoke. Only SHA-256 hashes are stored. */
public final class TokenService {
    private static final long TOUCH_INTERVAL_MS = 60_000;
    private final Database db;
    private final TokenStore store;
    private final AuditService audit;
    private final Clock clock;
    private final Duration sessionLifetime;
    private final TokenAddresses addresses;

    TokenService(Database db, TokenStore store, AuditService audit, Clock clock, Duration sessionLifetime) {
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.sessionLifetime = sessionLifetime;
        this.addresses = new TokenAddresses(db, store, audit, clock);
    }

    /** What the audit log calls a token: its name, or its description (npm login tokens have only that). */
    public static String nameOf(Token token) {
        return token.name() != null ? token.name() : token.description();
    }

    public static TokenService create(Database db, AuditService audit, Clock clock, Duration sessionLifetime) {
        return new TokenService(db, new JdbiTokenStore(), audit, clock, sessionLifetime);
    }

    public static String keyOf(String secret) {
        return Hashes.sha256Hex(secret);
    }

    /** A login (session) token, issued inside the caller's transaction by npm login / adduser. */
    public IssuedToken issueSession(Tx tx, Actor actor, String user) {
        long now = clock.millis();
        String secret = Secrets.token();
        Token token = Token.builder()
                .key(keyOf(secret))
                .user(user)
                .kind(Token.SESSION)
                .display(secret.substring(0, 6))
                .named(null, "npm login")
                .timestamps(now, now)
                .expiresAt(now + sessionLifetime.toMillis())
                .build();
        store.insert(tx, token);
        created(tx, actor, token, Map.of());
        return new IssuedToken(secret, token);
    }

    /**
     * Records {@code token.create} (target {@code token:ID}) and notes the address it was created from, so that only
     * a use from elsewhere is a {@code token.use-new-address}.
     */
    private void created(Tx tx, Actor actor, Token token, Map<String, Object> more) {
        if (actor.sourceAddress() != null) {
            store.addAddress(tx, token.key(), actor.sourceAddress(), token.createdAt());
        }
        Map<String, Object> detail = new java.util.TreeMap<>(more);
        detail.put("user", token.user());
        detail.put("kind", token.kind());
        if (nameOf(token) != null) {
            detail.put("name", nameOf(token));
        }
        audit.record(tx, actor, "token.create", target(token.key()), detail);
    }

    /** An audit target naming a token by its public id (the first 16 hex digits of its key). */
    static String target(String key) {
        return "token:" + Actor.tokenId(key);
    }

    /**
     * A token created with npm token create (the caller checked the password and the second factor). A null scope
     * acts with all of the owner's rights; a scope restricts it (granular token) and may bypass 2FA.
     */
    public IssuedToken issue(
            Actor actor,
            String user,
            String name,
            String description,
            List<String> cidr,
            Long expiresAt,
            TokenScope scope) {
        return db.write(tx -> {
            long now = clock.millis();
            String secret = Secrets.token();
            boolean bypass = scope != null && scope.bypass2fa();
            Token token = Token.builder()
                    .key(keyOf(secret))
                    .user(user)
                    .kind(Token.GRANULAR)
                    .display(secret.substring(0, 6))
                    .named(name, description)
                    .cidr(cidr == null || cidr.isEmpty() ? null : List.copyOf(cidr))
                    .bypass2fa(bypass)
                    .timestamps(now, now)
                    .expiresAt(expiresAt)
                    .scope(scope)
                    .build();
            store.insert(tx, token);
            created(
                    tx,
                    actor,
                    token,
                    Map.of(
                            "bypass2fa",
                            bypass,
                            "restricted",
                            scope != null,
                            "cidr",
                            token.cidr() == null ? List.of() : token.cidr()));
            return new IssuedToken(secret, token);
        });
    }

    /** A short-lived token in the caller's transaction (trusted publishing). */
    public IssuedToken issueScoped(
            dev.airlock.platform.db.Tx tx,
            Actor actor,
            String user,
            String kind,
            String description,
            long expiresAt,
            TokenScope scope) {
        long now = clock.millis();
        String secret = Secrets.token();
        Token token = Token.builder()
                .key(keyOf(secret))
                .user(user)
                .kind(kind)
                .display(secret.substring(0, 6))
                .named(null, description)
                .timestamps(now, now)
                .expiresAt(expiresAt)
                .scope(scope)
                .build();
        store.insert(tx, token);
        created(tx, actor, token, Map.of("expiresAt", expiresAt));
        return new IssuedToken(secret, token);
    }

    /** Every live token matching the filter (operators' inventory), oldest first. */
    public List<Token> inventory(boolean bypassOnly, String user, Integer unusedDays) {
        long now = clock.millis();
        return db.read(store::all).stream()
                .filter(t -> t.activeAt(now))
                .filter(t -> !bypassOnly || t.bypass2fa())
                .filter(t -> user == null || t.user().equals(user))
                .filter(t -> unusedDays == null
                        || (t.lastUsedAt() == null ? t.createdAt() : t.lastUsedAt()) < now - unusedDays * 86_400_000L)
                .toList();
    }

    /** Revokes each token in one transaction per token, each audited; returns how many. */
    public int revokeAll(Actor actor, List<Token> tokens) {
        int n = 0;
        for (Token t : tokens) {
            n += db.write(tx -> {
                Token current = store.byKey(tx, t.key());
                if (current == null || current.revokedAt() != null) {
                    return 0;
                }
                store.revoke(tx, t.key(), clock.millis());
                audit.record(tx, actor, "token.revoke", target(t.key()), Map.of("user", t.user(), "bulk", true));
                return 1;
            });
        }
        return n;
    }

    /** The live token for a presented secret, or a 401. Records last use at most once a minute. */
    public Token resolve(String secret, String source) {
        return resolve(secret, Actor.anonymous(source));
    }

    /**
     * As {@link #resolve(String, String)} for the request {@code attempt} (its address and user agent): the first use
     * of a token from an address not seen before for it records {@code token.use-new-address}, once per pair.
     */
    public Token resolve(String secret, Actor attempt) {
        String source = attempt.sourceAddress();
        String key = keyOf(secret);
        long now = clock.millis();
        Token token = db.read(tx -> store.usable(tx, key, now));
        if (token == null || !token.activeAt(now)) {
            throw AirlockException.unauthorized(
                    "Your token is invalid, expired or revoked. Run `npm login` to get a new one.");
        }
        if (token.cidr() != null && token.cidr().stream().noneMatch(c -> dev.airlock.shared.Cidr.contains(c, source))) {
            throw new AirlockException(
                    dev.airlock.shared.ErrorCode.IP_NOT_ALLOWED,
                    "This token may only be used from " + String.join(", ", token.cidr()) + ".");
        }
        addresses.noteUse(token, attempt);
        if (token.lastUsedAt() == null || now - token.lastUsedAt() > TOUCH_INTERVAL_MS) {
            db.write(tx -> {
                store.touch(tx, key, now, source);
                return null;
            });
        }
        return token;
    }

    /**
     * What the bearer token this actor presented is (GET /-/airlock/v1/token); 401 for any other credential. The
     * request's authentication already checked it is live and counted the use.
     */
    public TokenIntrospection introspect(Actor actor) {
        Token token = actor.tokenKey() == null ? null : db.read(tx -> store.byKey(tx, actor.tokenKey()));
        if (token == null || !token.activeAt(clock.millis())) {
            throw AirlockException.unauthorized(
                    "Present the token to inspect as Authorization: Bearer TOKEN; only tokens can be inspected.");
        }
        return TokenIntrospection.of(token);
    }

    public List<Token> list(String user) {
        long now = clock.millis();
        return db.read(tx -> store.byUser(tx, user)).stream()
                .filter(t -> t.activeAt(now))
                .toList();
    }

    /**
     * Revokes every live token of {@code user} (npm tokens, granular tokens, login sessions) in the caller's
     * transaction, each audited as {@code token.revoke}; how many (deactivation, docs/deprovisioning.md).
     */
    public int revokeAllOf(Tx tx, Actor actor, String user, String reason) {
        int n = 0;
        for (Token t : store.byUser(tx, user)) {
            store.revoke(tx, t.key(), clock.millis());
            audit.record(tx, actor, "token.revoke", target(t.key()), Map.of("user", user, "reason", reason));
            n++;
        }
        return n;
    }

    /** Whose token a presented secret is (live or not), or null: to explain a refusal, never to authenticate. */
    public String ownerOf(String secret) {
        return secret == null ? null : db.read(tx -> store.ownerOf(tx, keyOf(secret)));
    }

    /** Revokes by key (as listed) or by the full secret; only the owner's own tokens. */
    public void revoke(Actor actor, String keyOrSecret) {
        String key = keyOrSecret.startsWith("npm_") ? keyOf(keyOrSecret) : keyOrSecret;
        db.write(tx -> {
            Token token = store.byKey(tx, key);
            if (token == null || !token.user().equals(actor.user()) || token.revokedAt() != null) {
                throw AirlockException.notFound("No such token.");
            }
            store.revoke(tx, key, clock.millis());
            audit.record(tx, actor, "token.revoke", target(key), Map.of("user", token.user()));
            return null;
        });
    }
}
