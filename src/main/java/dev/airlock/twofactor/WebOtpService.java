package dev.airlock.twofactor;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.KeyChallenge;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * npm's web OTP for users whose factor is a security key. A command that needs a fresh factor gets a
 * {@link KeyChallenge}: an authUrl (a console page where the user reviews the operation and confirms with their key)
 * and a doneUrl the CLI polls with the same credential. Once confirmed, the poll hands over a code once; npm retries
 * the command with it as {@code --otp}. That code (see {@link KeyCodes}) works once, for the operation that asked for
 * it (approving {@code a@1} does not approve {@code a@2}), with the credential that ran the command, within
 * {@link #CODE_MILLIS}. The pending request itself expires after {@link #CHALLENGE_MILLIS}.
 */
public final class WebOtpService {
    /** How long npm's web-OTP confirmation may take (signing in to the console included). */
    static final long CHALLENGE_MILLIS = 10 * 60_000L;
    /** How long a confirmed code stays usable. */
    static final long CODE_MILLIS = 2 * 60_000L;

    private final Database db;
    private final SecurityKeyStore keyStore;
    private final SecurityKeyService keys;
    private final SecretBox box;
    private final AuditService audit;
    private final Clock clock;
    private final String registryUrl;
    private final String consoleUrl;

    WebOtpService(
            Database db,
            SecurityKeyStore keyStore,
            SecurityKeyService keys,
            SecretBox box,
            AuditService audit,
            Clock clock,
            String registryUrl,
            String consoleUrl) {
        this.db = db;
        this.keyStore = keyStore;
        this.keys = keys;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
        this.registryUrl = registryUrl;
        this.consoleUrl = consoleUrl;
    }

    /** What a web-OTP confirmation page shows: the request waiting for the user's key. */
    public record PendingConfirmation(String operation, String source, long createdAt, boolean confirmed) {}

    /** A new pending request for {@code what}, returned as the challenge to throw ({@code message} says why). */
    KeyChallenge challenge(Actor actor, String what, String message) {
        String authId = Secrets.base62(22);
        String doneId = Secrets.base62(32);
        long now = clock.millis();
        db.write(tx -> {
            keyStore.insertCode(
                    tx,
                    new SecurityKeyStore.KeyCode(
                            authId,
                            actor.user(),
                            actor.tokenKey(),
                            what,
                            actor.sourceAddress(),
                            now,
                            now + CHALLENGE_MILLIS,
                            null),
                    Hashes.sha256Hex(doneId));
            return null;
        });
        String authUrl = consoleUrl + "/-/console/confirm/" + authId;
        return new KeyChallenge(
                message + " Open " + authUrl + " to confirm.",
                authUrl,
                registryUrl + "/-/airlock/v1/confirm/" + doneId);
    }

    /** The pending request behind an authUrl, if it belongs to {@code user} and has not expired. */
    public Optional<PendingConfirmation> pendingConfirmation(String user, String authId) {
        SecurityKeyStore.KeyCode k =
                authId == null || authId.length() > 64 ? null : db.read(tx -> keyStore.codeByAuthId(tx, authId));
        if (k == null || !k.user().equals(user) || k.operation() == null || k.expiresAt() < clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(new PendingConfirmation(k.operation(), k.source(), k.createdAt(), k.codeHash() != null));
    }

    /**
     * The user confirmed a web-OTP request with their key (an assertion made for {@code "confirm:" + authId}): the
     * code waits for the CLI's poll.
     */
    public void confirmWithKey(Actor actor, String authId, String ceremonyId, String credentialJson) {
        PendingConfirmation p = unconfirmed(actor, authId);
        keys.assertedBy(actor, ceremonyId, credentialJson, "confirm:" + authId);
        confirmed(actor, authId, p, null, false);
    }

    /**
     * The user confirmed a web-OTP request with a fresh re-authentication at their identity provider (docs/sso.md,
     * "Presence"), which the caller checked was made for {@code "confirm:" + authId}: the code waits for the CLI's
     * poll and, when used, counts as {@code factor}.
     */
    public void confirmWithIdentityProvider(Actor actor, String authId, String factor, boolean phishingResistant) {
        confirmed(actor, authId, unconfirmed(actor, authId), factor, phishingResistant);
    }

    private PendingConfirmation unconfirmed(Actor actor, String authId) {
        PendingConfirmation p = pendingConfirmation(actor.user(), authId)
                .orElseThrow(() -> AirlockException.notFound(
                        "This confirmation has expired or is not yours. Run the command again."));
        if (p.confirmed()) {
            throw AirlockException.conflict("This request was already confirmed.");
        }
        return p;
    }

    private void confirmed(
            Actor actor, String authId, PendingConfirmation p, String factor, boolean phishingResistant) {
        String code = KeyCodes.newCode();
        db.write(tx -> {
            if (!keyStore.confirm(
                    tx,
                    authId,
                    Hashes.sha256Hex(code),
                    box.seal(code, authId),
                    clock.millis() + CODE_MILLIS,
                    factor,
                    phishingResistant)) {
                throw AirlockException.conflict("This request was already confirmed.");
            }
            audit.record(
                    tx,
                    actor,
                    factor == null ? "tfa.key-confirm" : "tfa.idp-confirm",
                    "user:" + actor.user(),
                    factor == null
                            ? Map.of("operation", p.operation())
                            : Map.of("operation", p.operation(), "factor", factor));
            return null;
        });
    }

    /**
     * The CLI polls doneUrl: null while the user has not confirmed yet, then the code, once. The poll must come
     * with the credential whose request was challenged (when there was one).
     */
    public String pollConfirmation(String doneId, Actor poller) {
        SecurityKeyStore.KeyCode k = doneId == null || doneId.length() > 64
                ? null
                : db.read(tx -> keyStore.codeByDoneHash(tx, Hashes.sha256Hex(doneId)));
        if (k == null
                || k.operation() == null
                || k.expiresAt() < clock.millis()
                || !Objects.equals(k.tokenKey(), poller.tokenKey())
                || (k.codeHash() != null && k.codeSealed() == null)) {
            throw AirlockException.notFound(
                    "This confirmation has expired or was already collected. Run the command again.");
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
}
