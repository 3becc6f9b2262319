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
 * TOTP two-factor authentication (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step). A code is accepted once per account:
 * the accepted step is claimed with a conditional UPDATE, so two concurrent requests with one code cannot both
 * pass. Wrong codes are throttled per account and audited. Secrets are AES-GCM encrypted; recovery codes hashed.
 */
public final class TwoFactorService {
    /** The factor names recorded in approvals and audit events. */
    public static final String TOTP = "totp";
    public static final String RECOVERY_CODE = "recovery-code";
    private static final int RECOVERY_CODES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;
    private final TwoFactorStore store;
    private final SecretBox box;
    private final AuditService audit;
    private final Clock clock;
    private final int maxFailures;
    private final long windowMillis;

    TwoFactorService(Database db, TwoFactorStore store, SecretBox box, AuditService audit, Clock clock, int maxFailures,
                     long windowMillis) {
        this.db = db;
        this.store = store;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
    }

    public static TwoFactorService create(Database db, SecretBox box, AuditService audit, Clock clock, int maxFailures,
                                          int windowMinutes) {
        return new TwoFactorService(db, new JdbiTwoFactorStore(), box, audit, clock, maxFailures, windowMinutes * 60_000L);
    }

    public Optional<TwoFactorStatus> status(String user) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, user));
        return row == null ? Optional.empty() : Optional.of(new TwoFactorStatus(row.mode(), row.pending()));
    }

    public boolean enabled(String user) {
        return user != null && status(user).map(TwoFactorStatus::enabled).orElse(false);
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
        List<String> codes = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            String c = Secrets.base62(12).toLowerCase(Locale.ROOT);
            codes.add(c);
            hashes.add(Hashes.sha256Hex(c));
        }
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
            throw AirlockException.badRequest("Two-factor authentication is not enabled.");
        }
        if (!row.pending()) {
            require(actor, "disable two-factor authentication");
        }
        db.write(tx -> {
            store.delete(tx, actor.user());
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
        if (s.isPresent() && s.get().enabled() && TwoFactorStatus.AUTH_AND_WRITES.equals(s.get().mode())) {
            return require(actor, "make changes");
        }
        return null;
    }

    /**
     * Proof of presence for approving a release: 2FA must be enabled, and a fresh, never-used code presented now.
     * Returns the factor used.
     */
    public String requirePresence(Actor actor, String what) {
        if (!enabled(actor.user())) {
            throw AirlockException.forbidden("You must enable two-factor authentication to " + what
                    + ". Run `npm profile enable-2fa auth-and-writes`.");
        }
        return require(actor, what);
    }

    /** Verifies actor.otp (a TOTP code or a recovery code) or throws OTP_REQUIRED / 401 / 429. */
    private String require(Actor actor, String what) {
        String code = actor.otp();
        if (code == null || code.isBlank()) {
            throw new AirlockException(ErrorCode.OTP_REQUIRED, "This operation requires a one-time password: to " + what
                    + ", pass --otp=<code> from your authenticator app.");
        }
        throttle(actor.user());
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, actor.user()));
        if (row != null && check(actor, row, code.trim(), true)) {
            return code.trim().length() == 6 ? TOTP : RECOVERY_CODE;
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
            byte[] secret = new Base32().decode(box.open(row.secretEnc(), row.user()));
            long step = Totp.matchingStep(secret, code, clock.millis());
            // claiming the step atomically is what makes a code single-use, even under concurrency
            return step >= 0 && db.write(tx -> store.claimStep(tx, row.user(), step));
        }
        if (allowRecovery && code.matches("[a-z0-9]{12}")) {
            boolean used = db.write(tx -> store.useRecoveryCode(tx, row.user(), Hashes.sha256Hex(code), clock.millis()));
            if (used) {
                db.write(tx -> {
                    audit.record(tx, actor, "tfa.recovery-code", "user:" + row.user(), Map.of());
                    return null;
                });
            }
            return used;
        }
        return false;
    }

    private void throttle(String user) {
        long now = clock.millis();
        List<Long> recent = db.read(tx -> store.failuresSince(tx, user, now - windowMillis));
        if (recent.size() >= maxFailures) {
            long retry = (recent.get(recent.size() - maxFailures) + windowMillis - now + 999) / 1000;
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
}
