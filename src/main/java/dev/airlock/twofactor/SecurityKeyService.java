package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Security keys and passkeys (WebAuthn) as the console uses them: adding one (the first second factor of an account
 * brings recovery codes), listing and removing them (removal needs a fresh factor), signing in with a key after the
 * password or with a passkey alone, and the console's step-up: a key assertion made for one purpose becomes a code
 * (see {@link KeyCodes}) that proves it once. The ceremonies themselves are {@link SecurityKeys}'; failed assertions
 * are audited. npm's web OTP, where the key confirms a command run in a terminal, is {@link WebOtpService}.
 */
public final class SecurityKeyService {
    private final Database db;
    private final SecurityKeys ceremonies;
    private final SecurityKeyStore keyStore;
    private final TwoFactorStore store;
    private final KeyCodes codes;
    private final AuditService audit;
    private final FreshFactor fresh;

    SecurityKeyService(
            Database db,
            SecurityKeys ceremonies,
            SecurityKeyStore keyStore,
            TwoFactorStore store,
            KeyCodes codes,
            AuditService audit,
            FreshFactor fresh) {
        this.db = db;
        this.ceremonies = ceremonies;
        this.keyStore = keyStore;
        this.store = store;
        this.codes = codes;
        this.audit = audit;
        this.fresh = fresh;
    }

    /** The user's keys, as the account page lists them. */
    public List<SecurityKey> list(String user) {
        return ceremonies.list(user);
    }

    /** Has the user at least one security key or passkey? */
    public boolean any(String user) {
        return ceremonies.any(user);
    }

    /** Starts adding a security key (the caller re-checked the password). */
    public SecurityKeys.Ceremony startRegistration(Actor actor) {
        return ceremonies.startRegistration(actor.user());
    }

    /**
     * Finishes adding a security key. A user who had no second factor before gets recovery codes (returned once);
     * otherwise the list is empty.
     */
    public List<String> finishRegistration(Actor actor, String ceremonyId, String credentialJson, String nickname) {
        String name = nickname == null || nickname.isBlank() ? "Security key" : nickname.strip();
        if (name.length() > 60 || !name.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw AirlockException.badRequest("A key's name is up to 60 printable characters.");
        }
        boolean first = !hasFactor(actor.user());
        SecurityKey key = ceremonies.finishRegistration(actor.user(), ceremonyId, credentialJson, name);
        List<String> recovery = first ? TotpService.newRecoveryCodes() : List.of();
        db.write(tx -> {
            if (first) {
                store.replaceRecoveryCodes(
                        tx,
                        actor.user(),
                        recovery.stream().map(Hashes::sha256Hex).toList());
            }
            audit.record(tx, actor, "tfa.key-add", "user:" + actor.user(), Map.of("key", key.nickname()));
            return null;
        });
        return recovery;
    }

    private boolean hasFactor(String user) {
        TwoFactorStore.Row row = db.read(tx -> store.find(tx, user));
        return row != null && !row.pending() || any(user);
    }

    /** Removes a security key: needs a fresh second factor. */
    public void remove(Actor actor, String credentialId) {
        fresh.verify(actor, "remove a security key");
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

    /** A new assertion for the user's keys, bound to {@code purpose}; empty when the user has no key. */
    public Optional<SecurityKeys.Ceremony> startAssertion(String user, String purpose) {
        return ceremonies.startAssertion(user, purpose);
    }

    /** A sign-in with a passkey alone (see {@link SecurityKeys#startPasskeyAssertion()}). */
    public SecurityKeys.Ceremony startPasskeyAssertion() {
        return ceremonies.startPasskeyAssertion();
    }

    /** Verifies a sign-in assertion (the key step after the password) and returns the user whose key made it. */
    public String signInWithKey(String ceremonyId, String credentialJson, Actor attempt) {
        return signInAssertion(ceremonyId, credentialJson, attempt, "sign-in");
    }

    /** Sign-in with a passkey alone: returns the user whose passkey answered (with user verification). */
    public String signInWithPasskey(String ceremonyId, String credentialJson, Actor attempt) {
        return signInAssertion(ceremonyId, credentialJson, attempt, SecurityKeys.PASSKEY_SIGN_IN);
    }

    private String signInAssertion(String ceremonyId, String credentialJson, Actor attempt, String purpose) {
        try {
            return ceremonies.finishAssertion(ceremonyId, credentialJson, purpose);
        } catch (AirlockException e) {
            auditFailure(attempt, purpose, e);
            throw e;
        }
    }

    /**
     * A console step-up: verifies an assertion made for {@code purpose} by the actor's key and returns a code that
     * proves it once, within a minute. The code never leaves the server: the caller puts it in the actor it acts as.
     */
    public String stepUp(Actor actor, String ceremonyId, String credentialJson, String purpose) {
        return codes.stepUp(actor, assertedBy(actor, ceremonyId, credentialJson, purpose));
    }

    /** Verifies an assertion for {@code purpose} made by one of the actor's own keys (failures are audited). */
    String assertedBy(Actor actor, String ceremonyId, String credentialJson, String purpose) {
        String user;
        try {
            user = ceremonies.finishAssertion(ceremonyId, credentialJson, purpose);
        } catch (AirlockException e) {
            auditFailure(actor, "user:" + actor.user(), e);
            throw e;
        }
        if (!user.equals(actor.user())) {
            throw AirlockException.unauthorized("That security key belongs to another account.");
        }
        return user;
    }

    private void auditFailure(Actor actor, String target, AirlockException e) {
        db.write(tx -> {
            audit.record(tx, actor, "tfa.key-failure", "failure", target, Map.of("reason", e.getMessage()));
            return null;
        });
    }
}
