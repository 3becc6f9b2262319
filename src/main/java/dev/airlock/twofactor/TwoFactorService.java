package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What spans an account's second factors: whether it has one, what {@code npm profile} shows, and verifying the
 * fresh factor a request presents (a TOTP or recovery code, or a code proving a security-key assertion), with npm's
 * web-OTP challenge for key users who sent none. The policy gate decides when a fresh factor is needed and asks
 * {@link #verify}; login asks {@link #requireForLogin}.
 *
 * <p>The factors themselves: {@link #totp()} (authenticator app and recovery codes), {@link #keys()} (security keys
 * and passkeys), {@link #webOtp()} (npm's web OTP, confirmed with a key in the browser).
 */
public final class TwoFactorService {
    /** The factor names recorded in approvals and audit events. */
    public static final String TOTP = "totp";

    public static final String RECOVERY_CODE = "recovery-code";
    public static final String SECURITY_KEY = "security-key";
    private final TotpService totp;
    private final SecurityKeyService keys;
    private final WebOtpService webOtp;
    private final KeyCodes keyCodes;
    private final String consoleUrl;
    private final ResetHold resetHold;
    private final Clock clock;
    private final java.util.Map<String, External> external = new java.util.concurrent.ConcurrentHashMap<>();

    /** Codes standing for a fresh factor proven elsewhere start with this. */
    static final String EXTERNAL_PREFIX = "airlock-ext-";

    private record External(String user, String factor, boolean phishingResistant, long expiresAt) {}

    private volatile Predicate<String> elsewhere = user -> false;

    TwoFactorService(
            Database db,
            TwoFactorStore store,
            SecretBox box,
            AuditService audit,
            Clock clock,
            int maxFailures,
            long windowMillis,
            SecurityKeyStore keyStore,
            String registryUrl,
            String consoleUrl) {
        String registry = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        this.consoleUrl = consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
        FreshFactor fresh = (actor, what) -> verify(actor, what, false);
        this.keyCodes = new KeyCodes(db, keyStore, audit, clock);
        this.keys = new SecurityKeyService(
                db, new SecurityKeys(db, keyStore, clock, this.consoleUrl), keyStore, store, keyCodes, audit, fresh);
        this.totp = new TotpService(
                db, store, box, audit, clock, maxFailures, windowMillis, keys, keyStore, fresh, this.consoleUrl);
        this.webOtp = new WebOtpService(db, keyStore, keys, box, audit, clock, registry, this.consoleUrl);
        this.resetHold = new ResetHold(db, new JdbiResetStore(), this.consoleUrl);
        this.clock = clock;
    }

    /**
     * Who can confirm their presence at an identity provider (docs/sso.md, "Presence"): such a user gets npm's web
     * OTP (the browser page offers "Confirm with …") and counts as having a second factor for approvals and the
     * org's "2FA required" rule. Set once by the composition root when single sign-on is configured.
     */
    public void confirmsElsewhere(Predicate<String> canConfirm) {
        this.elsewhere = canConfirm;
    }

    /** Can this user confirm their presence at an identity provider the registry trusts for it? */
    public boolean canConfirmElsewhere(String user) {
        return user != null && elsewhere.test(user);
    }

    /** Has the user a way to prove presence: a local second factor, or an identity provider's re-authentication? */
    public boolean canProvePresence(String user) {
        return enabled(user) || canConfirmElsewhere(user);
    }

    /** A "security key required" refusal of an identity provider's confirmation that is not phishing-resistant. */
    static AirlockException notPhishingResistant(String what, String factor) {
        return AirlockException.forbidden("To " + what + " you need a security key: this package's policy accepts"
                + " only a phishing-resistant factor, and your identity provider's confirmation (" + factor
                + ") is not one. Confirm there with a security key or passkey, or use your own security key here.");
    }

    /** Does the actor present a factor proven outside this package ({@link #externalFactor})? */
    public boolean presentsExternalFactor(Actor actor) {
        return actor.otp() != null && actor.otp().trim().startsWith(EXTERNAL_PREFIX);
    }

    /**
     * A fresh factor proven outside this package (a re-authentication at an identity provider, docs/sso.md): a code
     * for the actor's user that the same request then presents like any other factor. It lives in this node's
     * memory only, works once, within a minute; {@code factor} is what approvals and audit events record, and only
     * a {@code phishingResistant} one satisfies a "security key required" policy.
     */
    public String externalFactor(Actor actor, String factor, boolean phishingResistant) {
        long now = clock.millis();
        external.values().removeIf(e -> e.expiresAt() < now);
        String code = EXTERNAL_PREFIX + dev.airlock.platform.crypto.Secrets.base62(32);
        external.put(
                dev.airlock.platform.crypto.Hashes.sha256Hex(code),
                new External(actor.user(), factor, phishingResistant, now + KeyCodes.STEP_UP_MILLIS));
        return code;
    }

    /**
     * Wires the second-factor store and services.
     *
     * @param registryUrl where npm reaches the registry (the web-OTP doneUrl, polled with the user's token)
     * @param consoleUrl where browsers reach the console: the WebAuthn relying party and the web-OTP pages
     */
    public static TwoFactorService create(
            Database db,
            SecretBox box,
            AuditService audit,
            Clock clock,
            int maxFailures,
            int windowMinutes,
            String registryUrl,
            String consoleUrl) {
        return new TwoFactorService(
                db,
                new JdbiTwoFactorStore(),
                box,
                audit,
                clock,
                maxFailures,
                windowMinutes * 60_000L,
                new JdbiSecurityKeyStore(),
                registryUrl,
                consoleUrl);
    }

    /** The authenticator app (TOTP) and recovery codes. */
    public TotpService totp() {
        return totp;
    }

    /** The user's security keys and passkeys. */
    public SecurityKeyService keys() {
        return keys;
    }

    /** The hold on accounts with a pending admin-assisted reset (docs/recovery.md). */
    public ResetHold resetHold() {
        return resetHold;
    }

    /** npm's web OTP: commands confirmed with a security key in the browser. */
    public WebOtpService webOtp() {
        return webOtp;
    }

    /**
     * What {@code npm profile get} shows: the TOTP enrolment, or, for a user with only security keys,
     * auth-and-writes (keys guard sign-in and every write).
     */
    public Optional<TwoFactorStatus> profileStatus(String user) {
        Optional<TwoFactorStatus> app = totp.status(user);
        if ((app.isEmpty() || app.get().pending()) && keys.any(user)) {
            return Optional.of(new TwoFactorStatus(TwoFactorStatus.AUTH_AND_WRITES, false));
        }
        return app;
    }

    /** Has the user a second factor: a confirmed TOTP app or at least one security key? */
    public boolean enabled(String user) {
        return user != null && (totp.enabled(user) || keys.any(user));
    }

    /** Login (couch flow): a user with 2FA must present a valid code. */
    public void requireForLogin(Actor actor) {
        if (enabled(actor.user())) {
            verify(actor, "log in", false);
        }
    }

    /**
     * A write (publish, dist-tag, owner, access, token, org …): users in auth-and-writes mode must present a code.
     * Returns the factor that was verified, or null when this write needed none.
     */
    public String requireForWrite(Actor actor) {
        return writesNeedFactor(actor) ? verify(actor, "make changes", false) : null;
    }

    /**
     * Do this actor's writes need a fresh factor? Yes for a person in auth-and-writes mode, or with only security keys;
     * never for the operator, the anonymous actor or a token that bypasses 2FA.
     */
    public boolean writesNeedFactor(Actor actor) {
        if (actor.isOperator() || actor.user() == null || actor.bypasses2fa()) {
            return false;
        }
        Optional<TwoFactorStatus> s = totp.status(actor.user());
        return s.isPresent() && s.get().enabled()
                ? TwoFactorStatus.AUTH_AND_WRITES.equals(s.get().mode())
                : keys.any(actor.user());
    }

    /**
     * Verifies the fresh factor the actor presented for {@code what} (actor.otp: a TOTP code, a recovery code, or a
     * code confirmed with a security key); with {@code securityKeyOnly} only a security key's confirmation will do.
     * Returns the factor used; throws OTP_REQUIRED (401), npm's web-OTP challenge for key users who sent no code,
     * 429 while wrong codes are throttled, or a refusal.
     */
    public String verify(Actor actor, String what, boolean securityKeyOnly) {
        String factor = check(actor, what, securityKeyOnly);
        // every event this request records from now on names the factor (the audit log's "factor")
        actor.facts().verified(factor);
        return factor;
    }

    private String check(Actor actor, String what, boolean securityKeyOnly) {
        String code = actor.otp() == null ? "" : actor.otp().trim();
        if (KeyCodes.isKeyCode(code)) {
            return keyCodes.redeem(actor, code, what, securityKeyOnly);
        }
        if (code.startsWith(EXTERNAL_PREFIX)) {
            External e = external.remove(dev.airlock.platform.crypto.Hashes.sha256Hex(code));
            if (e == null || !e.user().equals(actor.user()) || e.expiresAt() < clock.millis()) {
                throw new AirlockException(
                        ErrorCode.OTP_REQUIRED, "That confirmation is not valid for this request; confirm again.");
            }
            if (securityKeyOnly && !e.phishingResistant()) {
                throw notPhishingResistant(what, e.factor());
            }
            return e.factor();
        }
        boolean hasKey = keys.any(actor.user());
        boolean idp = canConfirmElsewhere(actor.user());
        if (securityKeyOnly) {
            if (!hasKey && idp) {
                throw webOtp.challenge(
                        actor,
                        what,
                        "To " + what + ", confirm in the browser with your identity provider (with a security key or"
                                + " passkey there): this package's policy accepts only a phishing-resistant factor.");
            }
            if (!hasKey) {
                throw AirlockException.forbidden("To " + what
                        + " you need a security key (this package's policy does not accept"
                        + " codes from an authenticator app). Add one at " + consoleUrl + "/-/console/account.");
            }
            throw webOtp.challenge(
                    actor,
                    what,
                    "To " + what + ", confirm with your security key: this package's policy does not"
                            + " accept codes from an authenticator app.");
        }
        if (code.isEmpty()) {
            if (!hasKey && idp) {
                throw webOtp.challenge(
                        actor,
                        what,
                        "This operation requires a one-time password: to " + what + ", confirm in the browser with"
                                + " your identity provider"
                                + (totp.enabled(actor.user())
                                        ? ", or pass --otp=<code> from your authenticator app."
                                        : "."));
            }
            if (hasKey) {
                throw webOtp.challenge(
                        actor,
                        what,
                        "This operation requires a one-time password: to " + what + ", confirm with your"
                                + " security key in the browser"
                                + (totp.enabled(actor.user())
                                        ? ", or pass --otp=<code> from your authenticator" + " app."
                                        : "."));
            }
            throw new AirlockException(
                    ErrorCode.OTP_REQUIRED,
                    "This operation requires a one-time password: to " + what
                            + ", pass --otp=<code> from your authenticator app.");
        }
        return totp.check(actor, code);
    }
}
