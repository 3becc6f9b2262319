package dev.airlock.sso;

import dev.airlock.accounts.UserService;
import dev.airlock.audit.AuditService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.platform.config.OidcConfig;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.SecretBox;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on with OpenID Connect providers (docs/sso.md). A sign-in starts here (state, nonce and PKCE verifier
 * made, only their hashes, and the verifier encrypted, stored with a ten-minute expiry, bound to the browser by a
 * cookie secret), goes through the provider, and comes back to whichever node receives the callback: the flow is
 * taken from the database once, the code exchanged, the ID token verified. The account is the one linked to the
 * token's (issuer, subject); on a first sign-in it is created and linked, unless the name the provider gives is
 * already an account: accounts are never joined by name or e-mail.
 */
public final class SsoService {
    private static final Logger LOG = LoggerFactory.getLogger(SsoService.class);
    static final Duration FLOW_LIFETIME = Duration.ofMinutes(10);
    private static final String FAILED =
            "Single sign-on did not complete; nothing was signed in. Start again from the sign-in page.";
    private final Database db;
    private final SsoStore store;
    private final UserService users;
    private final AuditService audit;
    private final GroupSync groups;
    private final SecretBox box;
    private final Clock clock;
    private final URI callback;
    private final Map<String, OidcClient> providers = new LinkedHashMap<>();
    private final boolean passwordSignIn;

    SsoService(
            Database db,
            SsoStore store,
            UserService users,
            AuditService audit,
            GroupSync groups,
            SecretBox box,
            Clock clock,
            String consoleUrl,
            List<OidcConfig.Provider> configured,
            boolean passwordSignIn) {
        this.passwordSignIn = passwordSignIn;
        this.db = db;
        this.store = store;
        this.users = users;
        this.audit = audit;
        this.groups = groups;
        this.box = box;
        this.clock = clock;
        String base = consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
        this.callback = URI.create(base + "/-/console/sso/callback");
        for (OidcConfig.Provider p : configured) {
            providers.put(p.name(), new OidcClient(p, clock));
        }
    }

    public static SsoService create(
            Database db,
            UserService users,
            AuditService audit,
            GroupSync groups,
            SecretBox box,
            Clock clock,
            String consoleUrl,
            List<OidcConfig.Provider> configured,
            boolean passwordSignIn) {
        return new SsoService(
                db, new JdbiSsoStore(), users, audit, groups, box, clock, consoleUrl, configured, passwordSignIn);
    }

    /** Whether the sign-in pages offer the password form ({@code auth.passwordSignIn}). */
    public boolean passwordSignIn() {
        return passwordSignIn;
    }

    /** A sign-in button: the provider's name (in the URL) and what the button says after "Sign in with". */
    public record Provider(String name, String label) {}

    /** The configured providers, in configuration order. */
    public List<Provider> providers() {
        return providers.values().stream()
                .map(c -> new Provider(c.config.name(), c.config.label()))
                .toList();
    }

    /** The redirect URI registered with every provider. */
    public String callbackUrl() {
        return callback.toString();
    }

    /**
     * A started sign-in: where to send the browser, and the secret to keep in the browser's cookie (the callback is
     * accepted only from the browser that started it).
     */
    public record Started(String authorizationUrl, String browserSecret) {}

    /** Starts a sign-in with {@code provider}; {@code next} is the console page to return to afterwards. */
    public Started start(String provider, String next) {
        return begin(client(provider), next, null, null, "try again in a minute or tell the registry's operator.");
    }

    /**
     * Stores a new flow with {@code client} (a sign-in, or with {@code user} and {@code purpose} a re-authentication
     * that must be fresh) and answers where to send the browser.
     */
    private Started begin(OidcClient client, String next, String user, String purpose, String unreachable) {
        String provider = client.config.name();
        String state = Secrets.base62(43);
        String nonce = Secrets.base62(43);
        String verifier = Secrets.base62(64);
        String browser = Secrets.base62(43);
        URI url;
        try {
            url = client.authorizationUri(callback, state, nonce, verifier, user != null);
        } catch (OidcClient.Failure e) {
            LOG.warn("single sign-on with {} cannot start: {}", provider, e.getMessage());
            throw new AirlockException(
                    ErrorCode.BAD_GATEWAY,
                    "The identity provider " + client.config.label() + " cannot be reached right now; " + unreachable);
        }
        long now = clock.millis();
        String stateHash = Hashes.sha256Hex(state);
        db.write(tx -> {
            store.insertFlow(
                    tx,
                    new SsoStore.Flow(
                            stateHash,
                            provider,
                            Hashes.sha256Hex(nonce),
                            Hashes.sha256Hex(browser),
                            box.seal(verifier, stateHash),
                            next,
                            now,
                            now + FLOW_LIFETIME.toMillis(),
                            user,
                            purpose),
                    now);
            return null;
        });
        return new Started(url.toString(), browser);
    }

    /**
     * A completed sign-in: the account, the provider it came through, and the page to go on to; for a presence
     * confirmation ({@link #startPresence}) no one is signed in and {@code presenceSecret} is what the browser keeps
     * to use the confirmation once.
     */
    public record SignedIn(String user, String provider, String next, String presenceSecret) {
        public boolean presence() {
            return presenceSecret != null;
        }
    }

    /**
     * The provider sent the browser back with {@code params} (the callback's query); {@code browserSecret} is the
     * cookie the start set. The flow is used up whatever happens next.
     */
    public SignedIn complete(Map<String, String> params, String browserSecret, Actor attempt) {
        String state = params.get("state");
        if (state == null || state.length() != 43) {
            throw refused(attempt, null, "no state or a malformed one", FAILED);
        }
        String stateHash = Hashes.sha256Hex(state);
        SsoStore.Flow flow = db.write(tx -> store.takeFlow(tx, stateHash));
        if (flow == null || flow.expiresAt() <= clock.millis()) {
            throw refused(
                    attempt,
                    flow == null ? null : flow.provider(),
                    flow == null ? "unknown or used state" : "expired flow",
                    "This sign-in link has expired or was already used. Start again from the sign-in page.");
        }
        OidcClient client = providers.get(flow.provider());
        if (client == null) {
            throw refused(attempt, flow.provider(), "provider no longer configured", FAILED);
        }
        if (browserSecret == null || !Hashes.same(Hashes.sha256Hex(browserSecret), flow.browserHash())) {
            throw refused(
                    attempt,
                    flow.provider(),
                    "callback from another browser",
                    "This sign-in was started in another browser (or its cookie is gone). Start again from the"
                            + " sign-in page in this browser.");
        }
        if (params.get("error") != null) {
            throw refused(
                    attempt,
                    flow.provider(),
                    "the provider answered " + cut(params.get("error")),
                    client.config.label() + " did not sign you in (" + cut(params.get("error"))
                            + "). Start again from the sign-in page.");
        }
        String code = params.get("code");
        if (code == null || code.isEmpty() || code.length() > 4096) {
            throw refused(attempt, flow.provider(), "no code", FAILED);
        }
        OidcClient.Verified verified;
        String issuer;
        try {
            issuer = client.issuer();
            // RFC 9207: a provider that names itself in the response must name the one this flow went to
            String iss = params.get("iss");
            if (iss != null && !iss.equals(issuer)) {
                throw new OidcClient.Failure("the response names issuer " + cut(iss));
            }
            String verifier = box.open(flow.verifierSealed(), stateHash);
            verified = client.redeem(callback, code, verifier, flow.nonceHash());
        } catch (OidcClient.Failure e) {
            throw refused(attempt, flow.provider(), e.getMessage(), FAILED);
        }
        if (flow.purpose() != null) {
            String secret = confirmPresence(client, issuer, verified, flow, attempt);
            return new SignedIn(flow.user(), flow.provider(), flow.nextPage(), secret);
        }
        String user;
        try {
            user = signIn(client, issuer, verified, attempt);
        } catch (AirlockException e) {
            // no account for this person (a name already taken, or no usable name): recorded, nothing stored
            throw refused(attempt, flow.provider(), e.getMessage(), e.getMessage());
        }
        groups.apply(user, "oidc:" + flow.provider(), groupsOf(verified.claims().get(client.config.groupsClaim())));
        return new SignedIn(user, flow.provider(), flow.nextPage(), null);
    }

    /** How long a confirmation that passed stays usable for its one operation. */
    static final Duration PRESENCE_LIFETIME = Duration.ofMinutes(5);
    /** How old the provider's authentication ({@code auth_time}) may be when the confirmation comes back. */
    static final Duration PRESENCE_MAX_AGE = Duration.ofMinutes(5);

    /** A provider that can confirm {@code user}'s presence: linked to the user, with presenceAmr or presenceAcr set. */
    public List<Provider> presenceProviders(String user) {
        if (user == null || providers.isEmpty()) {
            return List.of();
        }
        List<String> linked = db.read(tx -> store.linkedProviders(tx, user));
        return linked.stream()
                .map(providers::get)
                .filter(c -> c != null
                        && (!c.config.presenceAmr().isEmpty()
                                || !c.config.presenceAcr().isEmpty()))
                .map(c -> new Provider(c.config.name(), c.config.label()))
                .toList();
    }

    /**
     * Starts a re-authentication of {@code user} at {@code provider} ({@code prompt=login}, {@code max_age=0}) as the
     * fresh factor for one operation, {@code purpose} (e.g. approving one staged version with one digest).
     */
    public Started startPresence(String user, String provider, String purpose, String next) {
        OidcClient client = client(provider);
        if (presenceProviders(user).stream().noneMatch(p -> p.name().equals(provider))) {
            throw AirlockException.forbidden("Your account is not linked to " + client.config.label()
                    + ", or the registry does not accept a re-authentication there as a proof of presence.");
        }
        return begin(client, next, user, purpose, "try again in a minute or use another factor.");
    }

    /**
     * The re-authentication came back verified: it must be the flow's user's linked identity, recent, and show a
     * factor the configuration counts. Returns the secret that uses the confirmation once.
     */
    private String confirmPresence(
            OidcClient client, String issuer, OidcClient.Verified v, SsoStore.Flow flow, Actor attempt) {
        OidcConfig.Provider p = client.config;
        Actor actor = attempt.as(flow.user(), "sso");
        String subject = v.idToken().getSubject().getValue();
        String linked = db.read(tx -> store.linkedUser(tx, issuer, subject));
        if (!flow.user().equals(linked)) {
            throw presenceRefused(
                    actor,
                    p.name(),
                    "the re-authentication was by another identity",
                    "You confirmed as another " + p.label() + " identity than the one linked to your account ("
                            + flow.user() + "); nothing was approved. Confirm again as yourself.");
        }
        java.util.Date authTime = v.idToken().getAuthenticationTime();
        long now = clock.millis();
        long skew = OidcClient.MAX_CLOCK_SKEW_SECONDS * 1000L;
        if (authTime == null
                || authTime.getTime() < now - PRESENCE_MAX_AGE.toMillis()
                || authTime.getTime() > now + skew) {
            throw presenceRefused(
                    actor,
                    p.name(),
                    authTime == null ? "no auth_time" : "auth_time not fresh",
                    p.label() + " did not sign you in again just now (its answer shows an older sign-in), so it is"
                            + " no proof of presence; nothing was approved. Confirm again, or use your security key"
                            + " or authenticator app.");
        }
        List<String> amr = strings(v.claims().get("amr"));
        Object acrClaim = v.claims().get("acr");
        String acr = acrClaim instanceof String a ? a : null;
        String matched =
                amr.stream().filter(p.presenceAmr()::contains).findFirst().orElse(null);
        if (matched == null && acr != null && p.presenceAcr().contains(acr)) {
            matched = acr;
        }
        if (matched == null) {
            throw presenceRefused(
                    actor,
                    p.name(),
                    "amr " + cut(String.join(",", amr)) + ", acr " + cut(acr) + " not accepted",
                    "You signed in again at " + p.label() + " with a method this registry does not accept as a proof"
                            + " of presence (" + cut(describe(amr, acr)) + "; accepted: "
                            + cut(describe(
                                    p.presenceAmr(),
                                    p.presenceAcr().isEmpty() ? null : String.join(" ", p.presenceAcr())))
                            + "); nothing was approved. Sign in there with a stronger method, or use your security"
                            + " key or authenticator app.");
        }
        String resistant = amr.stream()
                .filter(p.phishingResistantAmr()::contains)
                .findFirst()
                .orElse(acr != null && p.phishingResistantAcr().contains(acr) ? acr : null);
        String value = resistant != null ? resistant : matched;
        String factor = factorName(p.name(), value);
        String secret = Secrets.base62(43);
        String hash = Hashes.sha256Hex(secret);
        db.write(tx -> {
            store.insertPresence(
                    tx,
                    new SsoStore.Presence(
                            hash,
                            flow.user(),
                            flow.purpose(),
                            p.name(),
                            factor,
                            resistant != null,
                            now,
                            now + PRESENCE_LIFETIME.toMillis()),
                    now);
            audit.record(
                    tx,
                    actor,
                    "sso.presence",
                    "user:" + flow.user(),
                    Map.of(
                            "provider",
                            p.name(),
                            "factor",
                            factor,
                            "phishingResistant",
                            resistant != null,
                            "amr",
                            cut(String.join(" ", amr)),
                            "acr",
                            cut(acr)));
            return null;
        });
        return secret;
    }

    /** A confirmation used for one operation: the factor name to record, and whether it is phishing-resistant. */
    public record Presence(String provider, String factor, boolean phishingResistant) {}

    /**
     * Uses the confirmation {@code secret} (from this browser's cookie) for {@code purpose}, by {@code actor}: once,
     * by the user it was made for, for exactly that operation, before it expires. Refusals are audited.
     */
    public Presence usePresence(Actor actor, String secret, String purpose) {
        long now = clock.millis();
        SsoStore.Presence p = secret == null || secret.length() != 43
                ? null
                : db.write(tx -> store.usePresence(tx, Hashes.sha256Hex(secret), now));
        if (p == null || !p.user().equals(actor.user()) || !p.purpose().equals(purpose) || p.expiresAt() <= now) {
            throw presenceRefused(
                    actor,
                    p == null ? null : p.provider(),
                    p == null ? "unknown or used confirmation" : "confirmation not valid here",
                    "That confirmation at your identity provider is not valid here: it works once, for the"
                            + " approval it was made for, by the person who made it, within "
                            + PRESENCE_LIFETIME.toMinutes() + " minutes. Confirm again.");
        }
        return new Presence(p.provider(), p.factor(), p.phishingResistant());
    }

    /**
     * The factor recorded with the approval: {@code idp:NAME:VALUE}; approvals keep at most 20 characters, so a long
     * one is shortened to {@code idp:VALUE} (the audit event {@code sso.presence} names the provider in full).
     */
    static String factorName(String provider, String value) {
        String v = value.replaceAll("[^A-Za-z0-9._:-]", "_");
        String full = "idp:" + provider + ":" + v;
        if (full.length() <= 20) {
            return full;
        }
        String shortName = "idp:" + v;
        return shortName.length() <= 20 ? shortName : shortName.substring(0, 20);
    }

    private static String describe(List<String> amr, String acr) {
        return "amr " + (amr.isEmpty() ? "none" : String.join(" ", amr)) + ", acr " + (acr == null ? "none" : acr);
    }

    private AirlockException presenceRefused(Actor actor, String provider, String reason, String message) {
        LOG.warn("presence confirmation refused ({}): {}", provider == null ? "unknown" : provider, reason);
        auditFailure(actor, "sso.presence", provider, reason);
        return AirlockException.forbidden(message);
    }

    /** Records a refused sign-in or confirmation ({@code action}) with its reason, in a transaction of its own. */
    private void auditFailure(Actor actor, String action, String provider, String reason) {
        db.write(tx -> {
            audit.record(
                    tx,
                    actor,
                    action,
                    "failure",
                    "sso:" + (provider == null ? "unknown" : provider),
                    Map.of("reason", cut(reason)));
            return null;
        });
    }

    private String signIn(OidcClient client, String issuer, OidcClient.Verified v, Actor attempt) {
        String subject = v.idToken().getSubject().getValue();
        OidcConfig.Provider p = client.config;
        return db.write(tx -> {
            long now = clock.millis();
            String linked = store.linkedUser(tx, issuer, subject);
            String user;
            if (linked != null) {
                user = linked;
                users.requireActive(tx, user); // deprovisioned: the provider still knows them, the registry does not
                store.seen(tx, issuer, subject, now);
            } else {
                Object claimed = v.claims().get(p.usernameClaim());
                if (!(claimed instanceof String s) || s.isBlank()) {
                    throw new AirlockException(
                            ErrorCode.LOGIN_FAILED,
                            p.label() + " did not say your user name (claim \"" + p.usernameClaim()
                                    + "\"), so no account can be made for you. Tell the registry's operator: "
                                    + "auth.oidc." + p.name() + ".usernameClaim must name a claim the provider sends.");
                }
                user = s.trim().toLowerCase(Locale.ROOT);
                try {
                    UserService.validName(user);
                } catch (AirlockException e) {
                    throw new AirlockException(
                            ErrorCode.LOGIN_FAILED,
                            "The user name " + p.label() + " gives you (\"" + cut(s)
                                    + "\") is not a valid npm user name. Tell the registry's operator to choose"
                                    + " another claim (auth.oidc." + p.name() + ".usernameClaim).");
                }
                if (users.exists(tx, user) && users.external(tx, user) && !store.anyLink(tx, user)) {
                    // pushed by the identity provider (SCIM) and never signed in: this sign-in claims it
                    users.requireActive(tx, user);
                    store.link(tx, issuer, subject, user, p.name(), now);
                    users.honourUntil(tx, user, honouredUntil(p, now));
                    audit.record(
                            tx,
                            attempt.as(user, "sso"),
                            "sso.sign-in",
                            "user:" + user,
                            Map.of("provider", p.name(), "linked", false, "claimed", true));
                    return user;
                }
                if (users.exists(tx, user)) {
                    throw new AirlockException(
                            ErrorCode.LOGIN_FAILED,
                            "The account \"" + user + "\" already exists on this registry and is not linked to your "
                                    + p.label() + " identity; Airlock never joins accounts by name or e-mail, so"
                                    + " nobody was signed in. The registry's operator can rename or remove that"
                                    + " account (or give your " + p.label() + " account another user name) and you"
                                    + " can then sign in again.");
                }
                Object email = v.claims().get("email");
                users.addExternal(
                        tx,
                        attempt,
                        user,
                        email instanceof String e && UserService.isEmail(e) ? e : "",
                        "oidc:" + p.name());
                store.link(tx, issuer, subject, user, p.name(), now);
            }
            users.honourUntil(tx, user, honouredUntil(p, now));
            audit.record(
                    tx,
                    attempt.as(user, "sso"),
                    "sso.sign-in",
                    "user:" + user,
                    Map.of("provider", p.name(), "linked", linked != null));
            return user;
        });
    }

    /** Until when a sign-in through {@code p} at {@code now} is honoured: its maxSessionAge later, or null. */
    private static Long honouredUntil(OidcConfig.Provider p, long now) {
        return p.maxSessionAge() == null ? null : now + p.maxSessionAge().toMillis();
    }

    /**
     * The periodic re-check of auth.oidc.NAME.maxSessionAge (docs/sso.md): each account whose single sign-on lapsed
     * since the last run is recorded once in the audit log ({@code sso.lapsed}). Its credentials already stopped
     * working at the moment it lapsed (the token and session lookups compare the time); they work again after the
     * person signs in through the provider, which is where a person the provider deactivated is refused.
     */
    public int recordLapses() {
        long now = clock.millis();
        int n = 0;
        for (String user : db.read(tx -> users.ssoLapsedUnnoted(tx, now))) {
            n += db.write(tx -> {
                if (!users.noteSsoLapsed(tx, user, now)) {
                    return 0; // another node recorded it
                }
                audit.record(tx, Actor.operator(), "sso.lapsed", "user:" + user, Map.of());
                return 1;
            });
        }
        return n;
    }

    /** Whether {@code user} signs in through a provider (has a linked identity). */
    public boolean linked(String user) {
        return db.read(tx -> store.anyLink(tx, user));
    }

    private OidcClient client(String provider) {
        OidcClient client = provider == null ? null : providers.get(provider);
        if (client == null) {
            throw AirlockException.notFound("There is no identity provider named \"" + cut(provider) + "\" here.");
        }
        return client;
    }

    private AirlockException refused(Actor attempt, String provider, String reason, String message) {
        LOG.warn("single sign-on refused ({}): {}", provider == null ? "unknown flow" : provider, reason);
        auditFailure(attempt, "sso.sign-in", provider, reason);
        return new AirlockException(ErrorCode.LOGIN_FAILED, message);
    }

    /** The groups claim: a list of names, or one name; anything else counts as no groups. */
    static Set<String> groupsOf(Object claim) {
        return Set.copyOf(strings(claim));
    }

    /** A claim that is a list of strings or one string (groups, amr): its non-empty strings, in order, once each. */
    static List<String> strings(Object claim) {
        Set<String> out = new LinkedHashSet<>();
        if (claim instanceof String s && !s.isEmpty()) {
            out.add(s);
        } else if (claim instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof String s && !s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) : clean;
    }
}
