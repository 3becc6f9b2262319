package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
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
 * The authenticator-app factor: TOTP (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step) as {@code npm profile enable-2fa}
 * and {@code disable-2fa} set it up, and the recovery codes that stand in for any second factor.
 *
 * <p>Enrolment has npm's two steps: {@link #enrol} stores a pending, AES-GCM sealed secret and returns the otpauth
 * URL; the first code {@link #confirm confirms} it and returns ten recovery codes, shown once and stored hashed.
 * Changing the mode, disabling, and adding an app next to a security key need a fresh factor (asked of the
 * {@link TwoFactorService} through {@link FreshFactor}).
 *
 * <p>Codes presented as a factor ({@link #check}): a TOTP code is accepted once per account (the accepted step is
 * claimed with a conditional UPDATE, so two concurrent requests with one code cannot both pass); a recovery code
 * once ever. Wrong codes are audited and throttled per account: after {@code maxFailures} within the window every
 * code is refused with {@link RateLimited} (HTTP 429 with Retry-After). A valid code used again is a replay: audited,
 * refused, not counted toward throttling.
 */
public final class TotpService {
    private static final int RECOVERY_CODES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;
    private final TwoFactorStore store;
    private final SecretBox box;
    private final AuditService audit;
    private final Clock clock;
    private final int maxFailures;
    private final long windowMillis;
    private final SecurityKeyService keys;
    private final SecurityKeyStore keyStore;
    private final FreshFactor fresh;
    private final String consoleUrl;

    TotpService(
            Database db,
            TwoFactorStore store,
            SecretBox box,
            AuditService audit,
            Clock clock,
            int maxFailures,
            long windowMillis,
            SecurityKeyService keys,
            SecurityKeyStore keyStore,
            FreshFactor fresh,
            String consoleUrl) {
        this.db = db;
        this.store = store;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
        this.keys = keys;
        this.keyStore = keyStore;
        this.fresh = fresh;
        this.consoleUrl = consoleUrl;
    }

    /** The user's TOTP enrolment (what {@code npm profile} shows for an app user); empty when none. */
    public Optional<TwoFactorStatus> status(String user) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, user));
        return row == null ? Optional.empty() : Optional.of(new TwoFactorStatus(row.mode(), row.pending()));
    }

    /** Has the user a confirmed authenticator app? */
    public boolean enabled(String user) {
        return status(user).map(TwoFactorStatus::enabled).orElse(false);
    }

    private static String validMode(String mode) {
        if (!TwoFactorStatus.AUTH_ONLY.equals(mode) && !TwoFactorStatus.AUTH_AND_WRITES.equals(mode)) {
            throw AirlockException.badRequest(
                    "Invalid two-factor mode \"" + mode + "\": use auth-only or auth-and-writes.");
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
            fresh.verify(actor, "change the two-factor mode");
            db.write(tx -> {
                store.setMode(tx, actor.user(), mode, false, clock.millis());
                audit.record(tx, actor, "tfa.mode", "user:" + actor.user(), Map.of("mode", mode));
                return null;
            });
            return Optional.empty();
        }
        if (keys.any(actor.user())) {
            // adding a factor next to a security key must not become a way around the key
            fresh.verify(actor, "add an authenticator app");
        }
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        String base32 = new Base32().encodeToString(secret).replace("=", "");
        db.write(tx -> {
            store.upsert(tx, actor.user(), mode, true, box.seal(base32, actor.user()), clock.millis());
            audit.record(tx, actor, "tfa.enrol", "user:" + actor.user(), Map.of("mode", mode));
            return null;
        });
        String label = URLEncoder.encode("Airlock:" + actor.user(), StandardCharsets.UTF_8)
                .replace("+", "%20");
        return Optional.of(
                "otpauth://totp/" + label + "?secret=" + base32 + "&issuer=Airlock&algorithm=SHA1&digits=6&period=30");
    }

    /** Second step: the first code confirms the pending secret; returns the recovery codes (shown once). */
    public List<String> confirm(Actor actor, String code) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (row == null || !row.pending()) {
            throw AirlockException.badRequest(
                    "There is no two-factor setup to confirm; run `npm profile enable-2fa` first.");
        }
        if (!matches(actor, row, code, false)) {
            throw failure(actor, "tfa.confirm");
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
            throw AirlockException.badRequest(
                    keys.any(actor.user())
                            ? "No authenticator app is set up; your second factor is a security key. Remove keys on "
                                    + consoleUrl + "/-/console/account."
                            : "Two-factor authentication is not enabled.");
        }
        if (!row.pending()) {
            fresh.verify(actor, "disable two-factor authentication");
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

    /**
     * Verifies {@code code} (a TOTP code or a recovery code) as the actor's factor and returns its name, or throws:
     * {@link RateLimited} while the account is throttled, OTP_REQUIRED for a replayed or wrong code.
     */
    String check(Actor actor, String code) {
        try {
            throttle(actor.user());
        } catch (RateLimited e) {
            db.write(tx -> {
                audit.record(
                        tx, actor, "tfa.throttled", "failure", "user:" + actor.user(), Map.of("reason", "throttled"));
                return null;
            });
            throw e;
        }
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (matches(actor, row, code, true)) {
            return code.length() == 6 ? TwoFactorService.TOTP : TwoFactorService.RECOVERY_CODE;
        }
        if (row != null && isCurrentCode(row, code.trim())) {
            // a valid code that was already used: a replay, not a guess; audited but not counted toward throttling
            db.write(tx -> {
                audit.record(
                        tx,
                        actor,
                        "tfa.replay",
                        "failure",
                        "user:" + actor.user(),
                        Map.of("reason", "code already used"));
                return null;
            });
            throw new AirlockException(
                    ErrorCode.OTP_REQUIRED,
                    "That one-time password was already used; each code works"
                            + " once. Wait for the next code from your authenticator app and try again.");
        }
        throw failure(actor, "tfa.failure");
    }

    private boolean isCurrentCode(TwoFactorStore.Row row, String code) {
        if (!code.matches("\\d{6}")) {
            return false;
        }
        byte[] secret = new Base32().decode(box.open(row.secretEnc(), row.user()));
        return Totp.matchingStep(secret, code, clock.millis()) >= 0;
    }

    private boolean matches(Actor actor, TwoFactorStore.Row row, String code, boolean allowRecovery) {
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
            boolean used =
                    db.write(tx -> store.useRecoveryCode(tx, actor.user(), Hashes.sha256Hex(code), clock.millis()));
            if (used) {
                actor.facts().verified(TwoFactorService.RECOVERY_CODE);
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
            throw new RateLimited(
                    "Too many wrong one-time passwords for this account. Try again in " + retry + " seconds.", retry);
        }
    }

    /** Records a wrong code (it counts toward throttling) and returns the refusal to throw. */
    private AirlockException failure(Actor actor, String action) {
        db.write(tx -> {
            store.recordFailure(tx, actor.user(), clock.millis());
            audit.record(tx, actor, action, "failure", "user:" + actor.user(), Map.of("reason", "wrong code"));
            return null;
        });
        return new AirlockException(
                ErrorCode.OTP_REQUIRED,
                "The one-time password is wrong or was already used."
                        + " Wait for the next code from your authenticator app and try again.");
    }

    /** Ten fresh recovery codes (12 characters a-z0-9); the caller stores their hashes and shows them once. */
    static List<String> newRecoveryCodes() {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            codes.add(Secrets.base62(12).toLowerCase(Locale.ROOT));
        }
        return codes;
    }
}
