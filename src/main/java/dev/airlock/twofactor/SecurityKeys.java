package dev.airlock.twofactor;

import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.AssertionResult;
import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.FinishAssertionOptions;
import com.yubico.webauthn.FinishRegistrationOptions;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.RegistrationResult;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.StartAssertionOptions;
import com.yubico.webauthn.StartRegistrationOptions;
import com.yubico.webauthn.data.AuthenticatorSelectionCriteria;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserIdentity;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.data.exception.Base64UrlException;
import com.yubico.webauthn.exception.AssertionFailedException;
import com.yubico.webauthn.exception.RegistrationFailedException;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.AirlockException;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * WebAuthn ceremonies through Yubico's java-webauthn-server: registering a security key or passkey, and asserting
 * with one. Every ceremony is stored server-side (the request the browser was given), bound to a user and a
 * purpose, single-use and valid for five minutes. The relying party id is the console's host name; the only origin
 * accepted is the console's own. The rules around keys (who may add or remove one, what an assertion proves) are
 * {@link SecurityKeyService}'s and {@link WebOtpService}'s.
 *
 * <p>Size: a little over 300 lines, mostly the library's builders spelled out for registration and assertion; the
 * two ceremonies share the stored-ceremony handling here.
 */
public final class SecurityKeys {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SecurityKeys.class);
    static final long CEREMONY_MILLIS = 5 * 60_000L;
    private static final String REGISTER = "register";
    private static final String ASSERT = "assert";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;
    private final SecurityKeyStore store;
    private final Clock clock;
    private final RelyingParty rp;

    SecurityKeys(Database db, SecurityKeyStore store, Clock clock, String consoleUrl) {
        this.db = db;
        this.store = store;
        this.clock = clock;
        URI uri = URI.create(consoleUrl);
        String origin = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        this.rp = RelyingParty.builder()
                .identity(RelyingPartyIdentity.builder()
                        .id(uri.getHost())
                        .name("Airlock")
                        .build())
                .credentialRepository(new Repository())
                .origins(Set.of(origin))
                .clock(clock)
                .build();
    }

    /** A ceremony under way: its id (for the form) and the options the browser passes to navigator.credentials. */
    public record Ceremony(String id, String browserJson) {}

    List<SecurityKey> list(String user) {
        return db.read(tx -> store.list(tx, user));
    }

    boolean any(String user) {
        return user != null && db.read(tx -> store.count(tx, user)) > 0;
    }

    Ceremony startRegistration(String user) {
        String handle = db.read(tx -> store.userHandle(tx, user));
        ByteArray id;
        if (handle == null) {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            id = new ByteArray(b);
        } else {
            id = bytes(handle);
        }
        PublicKeyCredentialCreationOptions request = rp.startRegistration(StartRegistrationOptions.builder()
                .user(UserIdentity.builder().name(user).displayName(user).id(id).build())
                .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
                        .residentKey(ResidentKeyRequirement.PREFERRED)
                        .userVerification(UserVerificationRequirement.PREFERRED)
                        .build())
                .timeout(120_000L)
                .build());
        try {
            return begin(user, REGISTER, "register", request.toJson(), request.toCredentialsCreateJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies a registration answer from the browser and stores the key; returns it. */
    SecurityKey finishRegistration(String user, String ceremonyId, String credentialJson, String nickname) {
        requireAnswer(credentialJson);
        SecurityKeyStore.Ceremony c = take(ceremonyId, user, REGISTER, "register");
        try {
            PublicKeyCredentialCreationOptions request = PublicKeyCredentialCreationOptions.fromJson(c.requestJson());
            RegistrationResult result = rp.finishRegistration(FinishRegistrationOptions.builder()
                    .request(request)
                    .response(PublicKeyCredential.parseRegistrationResponseJson(credentialJson))
                    .build());
            String credentialId = result.getKeyId().getId().getBase64Url();
            long now = clock.millis();
            db.write(tx -> {
                if (!store.byId(tx, credentialId).isEmpty()) {
                    throw AirlockException.conflict("This security key is already registered.");
                }
                store.insert(
                        tx,
                        new SecurityKeyStore.Credential(
                                credentialId,
                                user,
                                request.getUser().getId().getBase64Url(),
                                result.getPublicKeyCose().getBase64Url(),
                                result.getSignatureCount()),
                        nickname,
                        now);
                return null;
            });
            return new SecurityKey(credentialId, user, nickname, now, null);
        } catch (RegistrationFailedException | IOException | RuntimeException e) {
            if (e instanceof AirlockException a) {
                throw a;
            }
            throw AirlockException.badRequest(refusal(e));
        }
    }

    /** A new assertion for the user's keys, bound to {@code purpose}; empty when the user has no key. */
    Optional<Ceremony> startAssertion(String user, String purpose) {
        if (!any(user)) {
            return Optional.empty();
        }
        AssertionRequest request = rp.startAssertion(StartAssertionOptions.builder()
                .username(user)
                .userVerification(UserVerificationRequirement.PREFERRED)
                .timeout(120_000L)
                .build());
        try {
            return Optional.of(begin(user, ASSERT, purpose, request.toJson(), request.toCredentialsGetJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The purpose of a sign-in with a passkey alone (no user named, user verification required). */
    static final String PASSKEY_SIGN_IN = "passkey-sign-in";

    /**
     * A sign-in with a passkey alone: no user is named, so the browser offers the passkeys (discoverable credentials)
     * it holds for this site, and the authenticator must verify its user (PIN or biometrics): possession of the key
     * and that check are the two factors. Stored with no user; whoever's passkey answers is signed in.
     */
    Ceremony startPasskeyAssertion() {
        AssertionRequest request = rp.startAssertion(StartAssertionOptions.builder()
                .userVerification(UserVerificationRequirement.REQUIRED)
                .timeout(120_000L)
                .build());
        try {
            return begin("", ASSERT, PASSKEY_SIGN_IN, request.toJson(), request.toCredentialsGetJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Verifies an assertion made for {@code purpose} (the ceremony is consumed either way) and returns the user
     * whose key signed it; for a passkey sign-in (no user named) the authenticator must have verified its user. The
     * signature counter is checked (a cloned key shows up as a counter going back).
     */
    String finishAssertion(String ceremonyId, String credentialJson, String purpose) {
        requireAnswer(credentialJson);
        SecurityKeyStore.Ceremony c = take(ceremonyId, null, ASSERT, purpose);
        try {
            AssertionResult result = rp.finishAssertion(FinishAssertionOptions.builder()
                    .request(AssertionRequest.fromJson(c.requestJson()))
                    .response(PublicKeyCredential.parseAssertionResponseJson(credentialJson))
                    .build());
            boolean passkey = c.user().isEmpty();
            if (!result.isSuccess()
                    || (passkey ? !result.isUserVerified() : !c.user().equals(result.getUsername()))) {
                throw AirlockException.unauthorized(
                        passkey && result.isSuccess()
                                ? "The passkey did not verify you (PIN or biometrics). Sign in with your password instead."
                                : "The security key did not confirm. Try again.");
            }
            db.write(tx -> {
                store.used(
                        tx,
                        result.getCredential().getCredentialId().getBase64Url(),
                        result.getSignatureCount(),
                        clock.millis());
                return null;
            });
            return result.getUsername();
        } catch (AssertionFailedException | IOException | RuntimeException e) {
            if (e instanceof AirlockException a) {
                throw a;
            }
            throw AirlockException.unauthorized(refusal(e));
        }
    }

    private Ceremony begin(String user, String kind, String purpose, String requestJson, String browserJson) {
        String id = Secrets.base62(32);
        long now = clock.millis();
        db.write(tx -> {
            store.insertCeremony(
                    tx,
                    Hashes.sha256Hex(id),
                    new SecurityKeyStore.Ceremony(user, kind, purpose, requestJson, now + CEREMONY_MILLIS),
                    now);
            return null;
        });
        return new Ceremony(id, browserJson);
    }

    private SecurityKeyStore.Ceremony take(String ceremonyId, String user, String kind, String purpose) {
        if (ceremonyId == null || ceremonyId.isBlank() || ceremonyId.length() > 100) {
            throw AirlockException.badRequest("The security key step is missing; reload the page and try again.");
        }
        SecurityKeyStore.Ceremony c = db.write(tx -> store.takeCeremony(tx, Hashes.sha256Hex(ceremonyId)));
        if (c == null
                || !c.kind().equals(kind)
                || !c.purpose().equals(purpose)
                || (user != null && !c.user().equals(user))
                || c.expiresAt() < clock.millis()) {
            throw AirlockException.badRequest(
                    "This security key request has expired or was for something else; reload the page and"
                            + " try again.");
        }
        return c;
    }

    private static void requireAnswer(String credentialJson) {
        if (credentialJson == null || credentialJson.isBlank()) {
            throw AirlockException.badRequest(
                    "The security key did not answer: the console needs JavaScript for security keys.");
        }
        if (credentialJson.length() > 64_000) {
            throw AirlockException.badRequest("The security key's answer is too large.");
        }
    }

    /**
     * What the user reads when the WebAuthn library refuses a key's answer: a sentence saying what to do, never the
     * library's exception text (that goes to the log and the audit trail only).
     */
    static String refusal(Exception e) {
        LOG.info("security key answer refused: {}", e.toString());
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("origin")) {
            return "The security key answered for another web address than this console's. Open the console at its own address"
                    + " (the one in the registry's settings, not an IP address or another name) and try again.";
        }
        if (m.contains("counter")) {
            return "The security key's signature counter went backwards, which is what a copied key does. Use another key, and"
                    + " remove this one from your account if you did not copy it yourself.";
        }
        return "The security key's answer could not be verified. Reload the page and try again, or use another key.";
    }

    private static ByteArray bytes(String base64Url) {
        try {
            return ByteArray.fromBase64Url(base64Url);
        } catch (Base64UrlException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What Yubico's library asks of storage: read-only lookups. */
    private final class Repository implements CredentialRepository {
        @Override
        public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
            return db.read(tx -> store.credentials(tx, username)).stream()
                    .map(c -> PublicKeyCredentialDescriptor.builder()
                            .id(bytes(c.credentialId()))
                            .build())
                    .collect(Collectors.toSet());
        }

        @Override
        public Optional<ByteArray> getUserHandleForUsername(String username) {
            return Optional.ofNullable(db.read(tx -> store.userHandle(tx, username)))
                    .map(SecurityKeys::bytes);
        }

        @Override
        public Optional<String> getUsernameForUserHandle(ByteArray userHandle) {
            return Optional.ofNullable(db.read(tx -> store.userForHandle(tx, userHandle.getBase64Url())));
        }

        @Override
        public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray userHandle) {
            return lookupAll(credentialId).stream()
                    .filter(c -> c.getUserHandle().equals(userHandle))
                    .findFirst();
        }

        @Override
        public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
            return db.read(tx -> store.byId(tx, credentialId.getBase64Url())).stream()
                    .map(c -> RegisteredCredential.builder()
                            .credentialId(bytes(c.credentialId()))
                            .userHandle(bytes(c.userHandle()))
                            .publicKeyCose(bytes(c.publicKeyCose()))
                            .signatureCount(c.signatureCount())
                            .build())
                    .collect(Collectors.toSet());
        }
    }
}
