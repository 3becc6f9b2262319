package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.KeyChallenge;
import dev.airlock.shared.RateLimited;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.codec.binary.Base32;

/**
 * TOTP two-factor authentication (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step). A code is accepted once per account:
 * the accepted step is claimed with a conditional UPDATE, so two concurrent requests with one code cannot both
 * pass. Wrong codes are throttled per account and audited. Secrets are AES-GCM encrypted; recovery codes hashed.
 */
public final class TwoFactorService {
    /** The factor names recorded in approvals and audit events. */
    public static final String TOTP = "totp";
    public static final String RECOVERY_CODE = "recovery-code";
    public static final String SECURITY_KEY = "security-key";
    /** Codes minted from a security-key assertion start with this (TOTP codes are digits, recovery codes 12 a-z0-9). */
    static final String KEY_CODE_PREFIX = "airlock-key-";
    /** How long npm's web-OTP confirmation may take (signing in to the console included). */
    static final long CHALLENGE_MILLIS = 10 * 60_000L;
    /** How long a confirmed code stays usable. */
    static final long CODE_MILLIS = 2 * 60_000L;
    private static final int RECOVERY_CODES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;
    private final TwoFactorStore store;
    private final SecretBox box;
    private final AuditService audit;
    private final Clock clock;
    private final int maxFailures;
    private final long windowMillis;
    private final SecurityKeys keys;
    private final SecurityKeyStore keyStore;
    private final String consoleUrl;
    private final String registryUrl;

    TwoFactorService(Database db, TwoFactorStore store, SecretBox box, AuditService audit, Clock clock, int maxFailures,
                     long windowMillis, SecurityKeyStore keyStore, String registryUrl, String consoleUrl) {
        this.keyStore = keyStore;
        this.registryUrl = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        this.consoleUrl = consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
        this.keys = new SecurityKeys(db, keyStore, clock, this.consoleUrl);
        this.db = db;
        this.store = store;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
    }

    /**
     * Wires the second-factor store and services.
     *
     * @param registryUrl where npm reaches the registry (the web-OTP doneUrl, polled with the user's token)
     * @param consoleUrl where browsers reach the console: the WebAuthn relying party and the web-OTP pages
     */
    public static TwoFactorService create(Database db, SecretBox box, AuditService audit, Clock clock, int maxFailures,
                                          int windowMinutes, String registryUrl, String consoleUrl) {
        return new TwoFactorService(db, new JdbiTwoFactorStore(), box, audit, clock, maxFailures, windowMinutes * 60_000L,
                new JdbiSecurityKeyStore(), registryUrl, consoleUrl);
    }

    /** The user's security keys and the WebAuthn ceremonies. */
    public SecurityKeys keys() {
        return keys;
    }

    /** The user's TOTP enrolment (what {@code npm profile} shows); security keys are {@link #keys()}. */
    public Optional<TwoFactorStatus> status(String user) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, user));
        return row == null ? Optional.empty() : Optional.of(new TwoFactorStatus(row.mode(), row.pending()));
    }

    /**
     * What {@code npm profile get} shows: the TOTP enrolment, or, for a user with only security keys,
     * auth-and-writes (keys guard sign-in and every write).
     */
    public Optional<TwoFactorStatus> profileStatus(String user) {
        Optional<TwoFactorStatus> totp = status(user);
        if ((totp.isEmpty() || totp.get().pending()) && keys.any(user)) {
            return Optional.of(new TwoFactorStatus(TwoFactorStatus.AUTH_AND_WRITES, false));
        }
        return totp;
    }

    /** Has the user a second factor: a confirmed TOTP app or at least one security key? */
    public boolean enabled(String user) {
        return user != null && (totpEnabled(user) || keys.any(user));
    }

    private boolean totpEnabled(String user) {
        return status(user).map(TwoFactorStatus::enabled).orElse(false);
    }

    private static String validMode(String mode) {
        if (!TwoFactorStatus.AUTH_ONLY.equals(mode) && !TwoFactorStatus.AUTH_AND_WRITES.equals(mode)) {
            throw AirlockException.badRequest("Invalid two-factor mode \"" + mode + "\": use auth-only or auth-and-writes.");
        }
        return mode;
    }

    /**
     * First step of {@code npm profile enable-2fa}: a new pending secret, returned as an otpauth URL. When 2FA is
     * already enabled this changes the mode instead (which needs a valid code) and returns empty.
     */
    public Optional<String> enrol(Actor actor, String mode) {
        validMode(mode);
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (row != null && !row.pending()) {
            require(actor, "change the two-factor mode");
            db.write(tx -> {
                store.setMode(tx, actor.user(), mode, false, clock.millis());
                audit.record(tx, actor, "tfa.mode", "user:" + actor.user(), Map.of("mode", mode));
                return null;
            });
            return Optional.empty();
        }
        if (keys.any(actor.user())) {
            // adding a factor next to a security key must not become a way around the key
            require(actor, "add an authenticator app");
        }
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        String base32 = new Base32().encodeToString(secret).replace("=", "");
        db.write(tx -> {
            store.upsert(tx, actor.user(), mode, true, box.seal(base32, actor.user()), clock.millis());
            audit.record(tx, actor, "tfa.enrol", "user:" + actor.user(), Map.of("mode", mode));
            return null;
        });
        String label = URLEncoder.encode("Airlock:" + actor.user(), StandardCharsets.UTF_8).replace("+", "%20");
        return Optional.of("otpauth://totp/" + label + "?secret=" + base32 + "&issuer=Airlock&algorithm=SHA1&digits=6&period=30");
    }

    /** Second step: the first code confirms the pending secret; returns the recovery codes (shown once). */
    public List<String> confirm(Actor actor, String code) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (row == null || !row.pending()) {
            throw AirlockException.badRequest("There is no two-factor setup to confirm; run `npm profile enable-2fa` first.");
        }
        if (!check(actor, row, code, false)) {
            failure(actor, "tfa.confirm");
        }
        List<String> codes = newRecoveryCodes();
        List<String> hashes = codes.stream().map(Hashes::sha256Hex).toList();
        db.write(tx -> {
            store.setMode(tx, actor.user(), row.mode(), false, clock.millis());
            store.replaceRecoveryCodes(tx, actor.user(), hashes);
            audit.record(tx, actor, "tfa.enable", "user:" + actor.user(), Map.of("mode", row.mode()));
            return null;
        });
        return codes;
    }

    /** npm profile disable-2fa: needs a valid code unless the setup was still pending. */
    public void disable(Actor actor) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (row == null) {
            throw AirlockException.badRequest(keys.any(actor.user())
                    ? "No authenticator app is set up; your second factor is a security key. Remove keys on " + consoleUrl
                    + "/-/console/account." : "Two-factor authentication is not enabled.");
        }
        if (!row.pending()) {
            require(actor, "disable two-factor authentication");
        }
        db.write(tx -> {
            store.delete(tx, actor.user());
            if (keyStore.count(tx, actor.user()) == 0) {
                store.replaceRecoveryCodes(tx, actor.user(), List.of());
            }
            audit.record(tx, actor, "tfa.disable", "user:" + actor.user(), Map.of());
            return null;
        });
    }

    /** Login (couch flow): a user with 2FA must present a valid code. */
    public void requireForLogin(Actor actor) {
        if (enabled(actor.user())) {
            require(actor, "log in");
        }
    }

    /** A write (publish, dist-tag, owner, access, token, org …): users in auth-and-writes mode must present a code. */
    /** Returns the factor that was verified, or null when this write needed none. */
    public String requireForWrite(Actor actor) {
        if (actor.isOperator() || actor.user() == null || actor.bypasses2fa()) {
            return null;
        }
        Optional<TwoFactorStatus> s = status(actor.user());
        boolean writes = s.isPresent() && s.get().enabled() ? TwoFactorStatus.AUTH_AND_WRITES.equals(s.get().mode()) : keys.any(actor.user());
        return writes ? require(actor, "make changes", false) : null;
    }

    /**
     * Proof of presence for approving a release: 2FA must be enabled, and a fresh, never-used code presented now.
     * Returns the factor used.
     */
    public String requirePresence(Actor actor, String what) {
        return requirePresence(actor, what, false);
    }

    /** As {@link #requirePresence(Actor, String)}; with {@code securityKeyOnly} only a security key will do. */
    public String requirePresence(Actor actor, String what, boolean securityKeyOnly) {
        if (!enabled(actor.user())) {
            throw AirlockException.forbidden("You must enable two-factor authentication to " + what
                    + ". Run `npm profile enable-2fa auth-and-writes`, or add a security key at " + consoleUrl + "/-/console/account.");
        }
        return require(actor, what, securityKeyOnly);
    }

    /**
     * Verifies the fresh factor the actor presented for {@code what} (the gate decided one is needed); with
     * {@code securityKeyOnly} only a security key's confirmation will do. Returns the factor used; throws the
     * challenge (401 OTP, or npm's web-OTP for key users) or a refusal.
     */
    public String verify(Actor actor, String what, boolean securityKeyOnly) {
        return require(actor, what, securityKeyOnly);
    }

    private String require(Actor actor, String what) {
        return require(actor, what, false);
    }

    /**
     * Verifies actor.otp (a TOTP code, a recovery code, or a code confirmed with a security key) or throws
     * OTP_REQUIRED / 401 / 429. A user with a security key who sent no code gets npm's web-OTP challenge.
     */
    private String require(Actor actor, String what, boolean securityKeyOnly) {
        String code = actor.otp() == null ? "" : actor.otp().trim();
        if (code.startsWith(KEY_CODE_PREFIX)) {
            return useKeyCode(actor, code, what);
        }
        boolean hasKey = keys.any(actor.user());
        if (securityKeyOnly) {
            if (!hasKey) {
                throw AirlockException.forbidden("To " + what + " you need a security key (this package's policy does not accept"
                        + " codes from an authenticator app). Add one at " + consoleUrl + "/-/console/account.");
            }
            throw challenge(actor, what, "To " + what + ", confirm with your security key: this package's policy does not accept"
                    + " codes from an authenticator app.");
        }
        if (code.isEmpty()) {
            if (hasKey) {
                throw challenge(actor, what, "This operation requires a one-time password: to " + what + ", confirm with your security"
                        + " key in the browser" + (totpEnabled(actor.user()) ? ", or pass --otp=<code> from your authenticator app." : "."));
            }
            throw new AirlockException(ErrorCode.OTP_REQUIRED, "This operation requires a one-time password: to " + what
                    + ", pass --otp=<code> from your authenticator app.");
        }
        throttle(actor.user());
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (check(actor, row, code, true)) {
            return code.length() == 6 ? TOTP : RECOVERY_CODE;
        }
        if (row != null && isCurrentCode(row, code.trim())) {
            // a valid code that was already used: a replay, not a guess; audited but not counted toward throttling
            db.write(tx -> {
                audit.record(tx, actor, "tfa.replay", "user:" + actor.user(), Map.of("result", "code already used"));
                return null;
            });
            throw new AirlockException(ErrorCode.OTP_REQUIRED, "That one-time password was already used; each code works"
                    + " once. Wait for the next code from your authenticator app and try again.");
        }
        return failure(actor, "tfa.failure");
    }

    private boolean isCurrentCode(TwoFactorStore.Row row, String code) {
        if (!code.matches("\\d{6}")) {
            return false;
        }
        byte[] secret = new Base32().decode(box.open(row.secretEnc(), row.user()));
        return Totp.matchingStep(secret, code, clock.millis()) >= 0;
    }

    private boolean check(Actor actor, TwoFactorStore.Row row, String code, boolean allowRecovery) {
        if (code.matches("\\d{6}")) {
            // a TOTP secret still being set up confirms itself (allowRecovery false) but is no factor yet
            if (row == null || row.pending() && allowRecovery) {
                return false;
            }
            byte[] secret = new Base32().decode(box.open(row.secretEnc(), row.user()));
            long step = Totp.matchingStep(secret, code, clock.millis());
            // claiming the step atomically is what makes a code single-use, even under concurrency
            return step >= 0 && db.write(tx -> store.claimStep(tx, row.user(), step));
        }
        if (allowRecovery && code.matches("[a-z0-9]{12}")) {
            boolean used = db.write(tx -> store.useRecoveryCode(tx, actor.user(), Hashes.sha256Hex(code), clock.millis()));
            if (used) {
                db.write(tx -> {
                    audit.record(tx, actor, "tfa.recovery-code", "user:" + actor.user(), Map.of());
                    return null;
                });
            }
            return used;
        }
        return false;
    }

    /** Forgets wrong codes older than the throttling window (the maintenance task calls this). */
    public int purgeFailures() {
        long before = clock.millis() - windowMillis;
        return db.write(tx -> store.purgeFailures(tx, before));
    }

    private void throttle(String user) {
        long now = clock.millis();
        List<Long> recent = db.read(tx -> store.failuresSince(tx, user, now - windowMillis));
        if (recent.size() >= maxFailures) {
            long retry = RateLimited.secondsUntilOneAgesOut(recent, maxFailures, windowMillis, now);
            throw new RateLimited("Too many wrong one-time passwords for this account. Try again in " + retry + " seconds.", retry);
        }
    }

    private String failure(Actor actor, String action) {
        db.write(tx -> {
            store.recordFailure(tx, actor.user(), clock.millis());
            audit.record(tx, actor, action, "user:" + actor.user(), Map.of("result", "wrong or reused code"));
            return null;
        });
        throw new AirlockException(ErrorCode.OTP_REQUIRED, "The one-time password is wrong or was already used."
                + " Wait for the next code from your authenticator app and try again.");
    }

    // ---- security keys -------------------------------------------------------------------------------------------

    /** Starts adding a security key (the caller re-checked the password). */
    public SecurityKeys.Ceremony startKeyRegistration(Actor actor) {
        return keys.startRegistration(actor.user());
    }

    /**
     * Finishes adding a security key. A user who had no second factor before gets recovery codes (returned once);
     * otherwise the list is empty.
     */
    public List<String> finishKeyRegistration(Actor actor, String ceremonyId, String credentialJson, String nickname) {
        String name = nickname == null || nickname.isBlank() ? "Security key" : nickname.strip();
        if (name.length() > 60 || !name.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw AirlockException.badRequest("A key's name is up to 60 printable characters.");
        }
        boolean first = !enabled(actor.user());
        SecurityKey key = keys.finishRegistration(actor.user(), ceremonyId, credentialJson, name);
        List<String> codes = first ? newRecoveryCodes() : List.of();
        db.write(tx -> {
            if (first) {
                store.replaceRecoveryCodes(tx, actor.user(), codes.stream().map(Hashes::sha256Hex).toList());
            }
            audit.record(tx, actor, "tfa.key-add", "user:" + actor.user(), Map.of("key", key.nickname()));
            return null;
        });
        return codes;
    }

    /** Removes a security key: needs a fresh second factor. */
    public void removeKey(Actor actor, String credentialId) {
        require(actor, "remove a security key");
        db.write(tx -> {
            if (!keyStore.delete(tx, actor.user(), credentialId == null ? "" : credentialId)) {
                throw AirlockException.notFound("No such security key.");
            }
            if (keyStore.count(tx, actor.user()) == 0 && store.find(tx, actor.user()) == null) {
                store.replaceRecoveryCodes(tx, actor.user(), List.of());
            }
            audit.record(tx, actor, "tfa.key-remove", "user:" + actor.user(), Map.of());
            return null;
        });
    }

    /** Verifies a sign-in assertion (the key step after the password) and returns the user whose key made it. */
    public String signInWithKey(String ceremonyId, String credentialJson, String source) {
        return signInAssertion(ceremonyId, credentialJson, source, "sign-in");
    }

    /** Sign-in with a passkey alone: returns the user whose passkey answered (with user verification). */
    public String signInWithPasskey(String ceremonyId, String credentialJson, String source) {
        return signInAssertion(ceremonyId, credentialJson, source, SecurityKeys.PASSKEY_SIGN_IN);
    }

    private String signInAssertion(String ceremonyId, String credentialJson, String source, String purpose) {
        try {
            return keys.finishAssertion(ceremonyId, credentialJson, purpose);
        } catch (AirlockException e) {
            auditKeyFailure(Actor.anonymous(source), purpose, e);
            throw e;
        }
    }

    /**
     * A console step-up: verifies an assertion made for {@code purpose} by the actor's key and returns a code that
     * proves it once, within a minute. The code never leaves the server: the caller puts it in the actor it acts as.
     */
    public String keyStepUp(Actor actor, String ceremonyId, String credentialJson, String purpose) {
        String user = assertedBy(actor, ceremonyId, credentialJson, purpose);
        String code = KEY_CODE_PREFIX + Secrets.base62(32);
        long now = clock.millis();
        db.write(tx -> {
            keyStore.insertCode(tx, new SecurityKeyStore.KeyCode(Secrets.base62(22), user, actor.tokenKey(), null, actor.sourceAddress(),
                    now, now + 60_000L, Hashes.sha256Hex(code), null, null), Hashes.sha256Hex(Secrets.base62(32)));
            return null;
        });
        return code;
    }

    /** npm's web OTP: a pending request the user confirms in the browser with a key. */
    private KeyChallenge challenge(Actor actor, String what, String message) {
        String authId = Secrets.base62(22);
        String doneId = Secrets.base62(32);
        long now = clock.millis();
        db.write(tx -> {
            keyStore.insertCode(tx, new SecurityKeyStore.KeyCode(authId, actor.user(), actor.tokenKey(), what, actor.sourceAddress(), now,
                    now + CHALLENGE_MILLIS, null, null, null), Hashes.sha256Hex(doneId));
            return null;
        });
        String authUrl = consoleUrl + "/-/console/confirm/" + authId;
        return new KeyChallenge(message + " Open " + authUrl + " to confirm.", authUrl,
                registryUrl + "/-/airlock/v1/confirm/" + doneId);
    }

    /** What a web-OTP confirmation page shows: the request waiting for the user's key. */
    public record PendingConfirmation(String operation, String source, long createdAt, boolean confirmed) {
    }

    /** The pending request behind an authUrl, if it belongs to {@code user} and has not expired. */
    public Optional<PendingConfirmation> pendingConfirmation(String user, String authId) {
        SecurityKeyStore.KeyCode k = authId == null || authId.length() > 64 ? null : db.read(tx -> keyStore.codeByAuthId(tx, authId));
        if (k == null || !k.user().equals(user) || k.operation() == null || k.expiresAt() < clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(new PendingConfirmation(k.operation(), k.source(), k.createdAt(), k.codeHash() != null));
    }

    /** The user confirmed a web-OTP request with their key: the code waits for the CLI's poll. */
    public void confirmWithKey(Actor actor, String authId, String ceremonyId, String credentialJson) {
        PendingConfirmation p = pendingConfirmation(actor.user(), authId)
                .orElseThrow(() -> AirlockException.notFound("This confirmation has expired or is not yours. Run the command again."));
        if (p.confirmed()) {
            throw AirlockException.conflict("This request was already confirmed.");
        }
        assertedBy(actor, ceremonyId, credentialJson, "confirm:" + authId);
        String code = KEY_CODE_PREFIX + Secrets.base62(32);
        db.write(tx -> {
            if (!keyStore.confirm(tx, authId, Hashes.sha256Hex(code), box.seal(code, authId), clock.millis() + CODE_MILLIS)) {
                throw AirlockException.conflict("This request was already confirmed.");
            }
            audit.record(tx, actor, "tfa.key-confirm", "user:" + actor.user(), Map.of("operation", p.operation()));
            return null;
        });
    }

    /**
     * The CLI polls doneUrl: null while the user has not confirmed yet, then the code, once. The poll must come
     * with the credential whose request was challenged (when there was one).
     */
    public String pollConfirmation(String doneId, Actor poller) {
        SecurityKeyStore.KeyCode k = doneId == null || doneId.length() > 64 ? null
                : db.read(tx -> keyStore.codeByDoneHash(tx, Hashes.sha256Hex(doneId)));
        if (k == null || k.operation() == null || k.expiresAt() < clock.millis() || !java.util.Objects.equals(k.tokenKey(), poller.tokenKey())
                || (k.codeHash() != null && k.codeSealed() == null)) {
            throw AirlockException.notFound("This confirmation has expired or was already collected. Run the command again.");
        }
        if (k.codeSealed() == null) {
            return null;
        }
        db.write(tx -> {
            keyStore.collected(tx, k.authId());
            return null;
        });
        return box.open(k.codeSealed(), k.authId());
    }

    private String useKeyCode(Actor actor, String code, String what) {
        String hash = Hashes.sha256Hex(code);
        long now = clock.millis();
        boolean ok = db.write(tx -> {
            SecurityKeyStore.KeyCode k = keyStore.codeByHash(tx, hash);
            return k != null && k.user().equals(actor.user()) && k.usedAt() == null && k.expiresAt() >= now
                    && (k.operation() == null || k.operation().equals(what)) && java.util.Objects.equals(k.tokenKey(), actor.tokenKey())
                    && keyStore.use(tx, hash, now);
        });
        if (ok) {
            return SECURITY_KEY;
        }
        db.write(tx -> {
            audit.record(tx, actor, "tfa.failure", "user:" + actor.user(), Map.of("result", "security-key code not valid here"));
            return null;
        });
        throw new AirlockException(ErrorCode.OTP_REQUIRED, "That security-key confirmation is not valid for this request: it works"
                + " once, for the request that asked for it, within two minutes. Run the command again.");
    }

    /** Verifies an assertion for {@code purpose} made by one of the actor's own keys (failures are audited). */
    private String assertedBy(Actor actor, String ceremonyId, String credentialJson, String purpose) {
        String user;
        try {
            user = keys.finishAssertion(ceremonyId, credentialJson, purpose);
        } catch (AirlockException e) {
            auditKeyFailure(actor, "user:" + actor.user(), e);
            throw e;
        }
        if (!user.equals(actor.user())) {
            throw AirlockException.unauthorized("That security key belongs to another account.");
        }
        return user;
    }

    private void auditKeyFailure(Actor actor, String target, AirlockException e) {
        db.write(tx -> {
            audit.record(tx, actor, "tfa.key-failure", target, Map.of("result", e.getMessage()));
            return null;
        });
    }

    private static List<String> newRecoveryCodes() {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            codes.add(Secrets.base62(12).toLowerCase(Locale.ROOT));
        }
        return codes;
    }
}
