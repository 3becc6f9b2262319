package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.AirlockAssembly;
import dev.airlock.orgs.OrgRole;
import dev.airlock.packages.NewVersion;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gate's decision table, against a real (temporary) SQLite database: every kind of actor × every action × the
 * policies that change the answer. No server, no Node, no browser.
 *
 * <p>Packages (all maintained by {@code plain}, {@code authonly}, {@code totp} and {@code keyonly}; {@code stranger}
 * maintains nothing): {@code free} (no policy), {@code mfa-publish} (mfa=publish), {@code mfa-auto}
 * (mfa=automation), {@code staged} (staging required), {@code keyappr} (approval needs a security key),
 * {@code @corp/strict} (org corp requires 2FA of its members). Outcomes: allowed, otp, key, 401, 403, 404.
 */
class GateTest {
    static Path dir;
    static AirlockAssembly airlock;
    static Gate gate;
    static Gate gateBypassMayPublish;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("airlock-gate");
        airlock = new AirlockAssembly(ConfigLoader.load(null, Map.of(), Map.of("data.dir", dir.toString())));
        gate = airlock.policies.gate();
        gateBypassMayPublish =
                new Gate(airlock.policies, airlock.twoFactor, airlock.packages, true, "http://localhost:1/");
        Actor op = Actor.operator();
        for (String u : List.of("plain", "authonly", "totp", "keyonly", "stranger")) {
            airlock.users.add(op, u, u + "@example.com", u + "-password-long", false);
        }
        long now = System.currentTimeMillis();
        airlock.db.write(tx -> {
            // 2FA as the service stores it once confirmed (the gate reads the mode, never the secret)
            for (String[] t : new String[][] {{"authonly", "auth-only"}, {"totp", "auth-and-writes"}}) {
                tx.handle()
                        .execute(
                                "INSERT INTO tfa (user_name, mode, pending, secret_enc, last_step, created_at, updated_at)"
                                        + " VALUES (?, ?, 0, 'x', 0, ?, ?)",
                                t[0],
                                t[1],
                                now,
                                now);
            }
            tx.handle()
                    .execute(
                            "INSERT INTO security_keys (credential_id, user_name, user_handle, public_key_cose,"
                                    + " signature_count, nickname, created_at) VALUES ('cred', 'keyonly', 'handle', 'cose', 0, 'key', ?)",
                            now);
            return null;
        });
        airlock.orgs.createOrg(op, "corp", "plain");
        for (String u : List.of("authonly", "totp", "keyonly")) {
            airlock.orgs.setMember(op, "corp", u, OrgRole.DEVELOPER);
        }
        airlock.policies.setOrg(op, "corp", new Policy(null, null, null, true, null));
        Map<String, Policy> packages = Map.of(
                "free",
                Policy.EMPTY,
                "mfa-publish",
                new Policy("publish", null, null, null, null),
                "mfa-auto",
                new Policy("automation", null, null, null, null),
                "staged",
                new Policy(null, true, null, null, null),
                "keyappr",
                new Policy(null, null, null, null, true),
                "@corp/strict",
                Policy.EMPTY,
                "other-pkg",
                Policy.EMPTY);
        for (Map.Entry<String, Policy> p : packages.entrySet()) {
            PackageName name = PackageName.parse(p.getKey());
            publish(name, "1.0.0");
            airlock.packageUseCases
                    .ownership()
                    .setMaintainers(op, name, null, List.of("plain", "authonly", "totp", "keyonly"));
            if (!p.getValue().equals(Policy.EMPTY)) {
                airlock.policies.setPackage(op, name, p.getValue());
            }
        }
    }

    static void publish(PackageName name, String version) {
        ObjectNode manifest =
                Json.MAPPER.createObjectNode().put("name", name.toString()).put("version", version);
        airlock.packageUseCases
                .versions()
                .publish(
                        new Actor("plain", "session", null, "127.0.0.1"),
                        new NewVersion(
                                name,
                                version,
                                manifest,
                                null,
                                "sha512-x",
                                "x",
                                "blob-" + name.bare(),
                                1,
                                "latest",
                                null),
                        null);
    }

    @AfterAll
    static void tearDown() {
        airlock.close();
    }

    /** The kinds of actor, by name; token actors act for {@code plain}; OIDC tokens are scoped to the package at hand. */
    static Actor actor(String kind, PackageName pkg) {
        String ip = "127.0.0.1";
        return switch (kind) {
            case "anonymous" -> Actor.anonymous(ip);
            case "session" -> new Actor("plain", "session", "k", ip);
            case "password" -> new Actor("plain", "password", null, ip);
            case "authonly", "totp", "keyonly", "stranger" -> new Actor(kind, "session", "k", ip);
            case "token-ro" ->
                token(TokenScope.builder()
                        .allPackages(true)
                        .packagePermission(TokenScope.READ_ONLY)
                        .build());
            case "token-rw" ->
                token(TokenScope.builder()
                        .packages(Set.of(pkg == null ? "free" : pkg.toString()))
                        .packagePermission(TokenScope.READ_WRITE)
                        .build());
            case "token-other" ->
                token(TokenScope.builder()
                        .packages(Set.of("other-pkg"))
                        .packagePermission(TokenScope.READ_WRITE)
                        .build());
            case "bypass" ->
                token(TokenScope.builder()
                        .allPackages(true)
                        .packagePermission(TokenScope.READ_WRITE)
                        .bypass2fa(true)
                        .build());
            case "oidc-publish", "oidc-stage" ->
                new Actor(
                        "totp",
                        "oidc",
                        null,
                        ip,
                        null,
                        TokenScope.builder()
                                .packages(Set.of(pkg == null ? "free" : pkg.toString()))
                                .packagePermission(TokenScope.READ_WRITE)
                                .orgPermission(TokenScope.NO_ACCESS)
                                .allowed(Set.of(kind.substring(5)))
                                .ciIdentity("{\"provider\":\"github\"}")
                                .build());
            case "operator" -> Actor.operator();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static Actor token(TokenScope scope) {
        return new Actor("plain", "granular", "k", "127.0.0.1", null, scope);
    }

    static String decide(Gate g, String actor, String action, String pkg) {
        PackageName name = pkg.equals("-") ? null : PackageName.parse(pkg);
        return g.decide(actor(actor, name), Action.valueOf(action), name, "1.0.0")
                .brief();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # actor      | action            | package      | decision
            # --- reading is never the gate's to refuse (visibility is the packages feature's)
            anonymous    | READ              | free         | allowed
            token-other  | READ              | free         | allowed
            oidc-publish | READ              | free         | allowed
            # --- direct publish, no policy: writes need a code only in auth-and-writes mode (or with a key)
            anonymous    | PUBLISH           | free         | 401
            session      | PUBLISH           | free         | allowed
            password     | PUBLISH           | free         | allowed
            authonly     | PUBLISH           | free         | allowed
            totp         | PUBLISH           | free         | otp
            keyonly      | PUBLISH           | free         | otp
            stranger     | PUBLISH           | free         | 403
            token-ro     | PUBLISH           | free         | 403
            token-rw     | PUBLISH           | free         | allowed
            token-other  | PUBLISH           | free         | 403
            token-other  | PUBLISH           | brand-new    | 403
            token-rw     | PUBLISH           | brand-new    | allowed
            bypass       | PUBLISH           | free         | 403
            oidc-publish | PUBLISH           | free         | allowed
            oidc-stage   | PUBLISH           | free         | 403
            operator     | PUBLISH           | free         | allowed
            # --- mfa=publish: a person with 2FA and a fresh code; tokens and pipelines stage
            session      | PUBLISH           | mfa-publish  | 403
            authonly     | PUBLISH           | mfa-publish  | otp
            totp         | PUBLISH           | mfa-publish  | otp
            keyonly      | PUBLISH           | mfa-publish  | otp
            token-rw     | PUBLISH           | mfa-publish  | 403
            bypass       | PUBLISH           | mfa-publish  | 403
            oidc-publish | PUBLISH           | mfa-publish  | 403
            operator     | PUBLISH           | mfa-publish  | allowed
            # --- mfa=automation: that, or a bypass token where the operator allows it, or trusted publishing
            session      | PUBLISH           | mfa-auto     | 403
            totp         | PUBLISH           | mfa-auto     | otp
            token-rw     | PUBLISH           | mfa-auto     | 403
            bypass       | PUBLISH           | mfa-auto     | 403
            oidc-publish | PUBLISH           | mfa-auto     | allowed
            # --- staging required: nobody publishes directly, not even the operator
            totp         | PUBLISH           | staged       | 403
            bypass       | PUBLISH           | staged       | 403
            oidc-publish | PUBLISH           | staged       | 403
            operator     | PUBLISH           | staged       | 403
            # --- org requires 2FA of its members
            session      | PUBLISH           | @corp/strict | 403
            authonly     | PUBLISH           | @corp/strict | allowed
            totp         | PUBLISH           | @corp/strict | otp
            token-rw     | PUBLISH           | @corp/strict | 403
            oidc-publish | PUBLISH           | @corp/strict | allowed
            # --- staging never asks for a code
            anonymous    | STAGE             | free         | 401
            session      | STAGE             | free         | allowed
            totp         | STAGE             | free         | allowed
            keyonly      | STAGE             | staged       | allowed
            stranger     | STAGE             | free         | 403
            token-ro     | STAGE             | free         | 403
            token-rw     | STAGE             | mfa-publish  | allowed
            token-other  | STAGE             | free         | 403
            bypass       | STAGE             | mfa-publish  | allowed
            oidc-stage   | STAGE             | mfa-publish  | allowed
            oidc-publish | STAGE             | free         | 403
            session      | STAGE             | @corp/strict | 403
            authonly     | STAGE             | @corp/strict | allowed
            # --- seeing staged versions: anyone signed in (which stages is the staging feature's), never a pipeline
            anonymous    | VIEW_STAGED       | -            | 401
            token-ro     | VIEW_STAGED       | -            | allowed
            oidc-stage   | VIEW_STAGED       | -            | 403
            # --- approve and reject: a person who maintains the package, 2FA on, a fresh factor
            anonymous    | APPROVE           | free         | 401
            session      | APPROVE           | free         | 403
            authonly     | APPROVE           | free         | otp
            totp         | APPROVE           | free         | otp
            keyonly      | APPROVE           | free         | otp
            stranger     | APPROVE           | free         | 403
            token-rw     | APPROVE           | free         | 403
            bypass       | APPROVE           | free         | 403
            oidc-stage   | APPROVE           | free         | 403
            operator     | APPROVE           | free         | 403
            totp         | REJECT            | free         | otp
            token-rw     | REJECT            | free         | 403
            session      | REJECT            | free         | 403
            # --- securityKeyApproval: approving needs a key; rejecting still takes any factor
            totp         | APPROVE           | keyappr      | 403
            authonly     | APPROVE           | keyappr      | 403
            keyonly      | APPROVE           | keyappr      | key
            totp         | REJECT            | keyappr      | otp
            session      | APPROVE           | @corp/strict | 403
            authonly     | APPROVE           | @corp/strict | otp
            # --- package writes
            anonymous    | CHANGE_DIST_TAGS  | free         | 401
            session      | CHANGE_DIST_TAGS  | free         | allowed
            authonly     | CHANGE_DIST_TAGS  | free         | allowed
            totp         | CHANGE_DIST_TAGS  | free         | otp
            keyonly      | CHANGE_DIST_TAGS  | free         | otp
            stranger     | CHANGE_DIST_TAGS  | free         | 403
            stranger     | CHANGE_DIST_TAGS  | missing-pkg  | 404
            token-ro     | CHANGE_DIST_TAGS  | free         | 403
            token-rw     | CHANGE_DIST_TAGS  | free         | allowed
            token-other  | CHANGE_DIST_TAGS  | free         | 403
            bypass       | CHANGE_DIST_TAGS  | free         | allowed
            oidc-publish | CHANGE_DIST_TAGS  | free         | 403
            operator     | CHANGE_DIST_TAGS  | free         | allowed
            totp         | DEPRECATE         | free         | otp
            token-ro     | DEPRECATE         | free         | 403
            bypass       | DEPRECATE         | free         | allowed
            oidc-publish | DEPRECATE         | free         | 403
            totp         | UNPUBLISH         | free         | otp
            session      | UNPUBLISH         | free         | allowed
            token-other  | UNPUBLISH         | free         | 403
            oidc-publish | UNPUBLISH         | free         | 403
            totp         | DELETE_TARBALL    | free         | otp
            # --- owners, access, policy: never with a token that bypasses 2FA
            session      | CHANGE_OWNERS     | free         | allowed
            totp         | CHANGE_OWNERS     | free         | otp
            bypass       | CHANGE_OWNERS     | free         | 403
            token-rw     | CHANGE_OWNERS     | free         | allowed
            stranger     | CHANGE_OWNERS     | free         | 403
            oidc-publish | CHANGE_OWNERS     | free         | 403
            keyonly      | CHANGE_ACCESS     | free         | otp
            bypass       | CHANGE_ACCESS     | free         | 403
            token-ro     | CHANGE_ACCESS     | free         | 403
            totp         | CHANGE_POLICY     | free         | otp
            authonly     | CHANGE_POLICY     | free         | allowed
            bypass       | CHANGE_POLICY     | free         | 403
            stranger     | CHANGE_POLICY     | free         | 403
            operator     | CHANGE_POLICY     | free         | allowed
            totp         | CHANGE_ORG_POLICY | -            | otp
            oidc-publish | CHANGE_ORG_POLICY | -            | 403
            # --- org members and teams, profile fields: a write (roles are the orgs feature's rule)
            anonymous    | CHANGE_ORG        | -            | 401
            session      | CHANGE_ORG        | -            | allowed
            authonly     | CHANGE_ORG        | -            | allowed
            totp         | CHANGE_ORG        | -            | otp
            keyonly      | CHANGE_ORG        | -            | otp
            token-rw     | CHANGE_ORG        | -            | allowed
            bypass       | CHANGE_ORG        | -            | allowed
            oidc-publish | CHANGE_ORG        | -            | 403
            operator     | CHANGE_ORG        | -            | allowed
            anonymous    | CHANGE_PROFILE    | -            | 401
            session      | CHANGE_PROFILE    | -            | allowed
            password     | CHANGE_PROFILE    | -            | allowed
            authonly     | CHANGE_PROFILE    | -            | allowed
            totp         | CHANGE_PROFILE    | -            | otp
            keyonly      | CHANGE_PROFILE    | -            | otp
            oidc-publish | CHANGE_PROFILE    | -            | 403
            # --- trusted publishing relationships: maintainers, from a login session, 2FA and a fresh code to change
            session      | VIEW_TRUST        | free         | allowed
            session      | CHANGE_TRUST      | free         | 403
            authonly     | CHANGE_TRUST      | free         | otp
            keyonly      | CHANGE_TRUST      | free         | otp
            password     | VIEW_TRUST        | free         | 403
            token-rw     | CHANGE_TRUST      | free         | 403
            token-other  | VIEW_TRUST        | free         | 404
            stranger     | VIEW_TRUST        | free         | 404
            oidc-publish | VIEW_TRUST        | free         | 403
            operator     | CHANGE_TRUST      | free         | 403
            # --- tokens are managed by a person
            anonymous    | CREATE_TOKEN      | -            | 401
            session      | CREATE_TOKEN      | -            | allowed
            totp         | CREATE_TOKEN      | -            | otp
            keyonly      | REVOKE_TOKEN      | -            | otp
            token-rw     | CREATE_TOKEN      | -            | 403
            bypass       | REVOKE_TOKEN      | -            | 403
            oidc-publish | CREATE_TOKEN      | -            | 403
            # --- everything else: signed in, and never a pipeline
            token-ro     | OTHER             | -            | allowed
            oidc-publish | OTHER             | -            | 403
            anonymous    | OTHER             | -            | 401
            """)
    void decisionTable(String actor, String action, String pkg, String expected) {
        assertEquals(expected, decide(gate, actor, action, pkg));
    }

    /** tokens.bypassMayPublish: the operator lets bypass tokens publish directly where the package's mfa allows it. */
    @ParameterizedTest(name = "bypassMayPublish: {0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            bypass       | PUBLISH           | free         | allowed
            bypass       | PUBLISH           | mfa-auto     | allowed
            bypass       | PUBLISH           | mfa-publish  | 403
            bypass       | PUBLISH           | staged       | 403
            bypass       | APPROVE           | free         | 403
            token-rw     | PUBLISH           | mfa-auto     | 403
            """)
    void bypassMayPublish(String actor, String action, String pkg, String expected) {
        assertEquals(expected, decide(gateBypassMayPublish, actor, action, pkg));
    }

    @Test
    void theTarballDeleteAfterAnUnpublishNeedsNoSecondCode() {
        PackageName free = PackageName.parse("free");
        assertEquals(
                "otp",
                gate.decide(actor("totp", free), Action.DELETE_TARBALL, free, "1.0.0")
                        .brief());
        assertEquals(
                "allowed",
                gate.decide(actor("totp", free), Action.DELETE_TARBALL, free, "9.9.9")
                        .brief());
    }

    /** The refusals carry the sentence npm prints; a few that users meet most. */
    @Test
    void refusalsSayWhatToDo() {
        PackageName staged = PackageName.parse("staged");
        assertTrue(message(gate.decide(actor("totp", staged), Action.PUBLISH, staged))
                .contains("Run `npm stage publish`"));
        PackageName free = PackageName.parse("free");
        assertEquals(
                "Only a person can approve a staged release: log in with `npm login` and use your second factor."
                        + " Automation tokens can stage, never approve.",
                message(gate.decide(actor("token-rw", free), Action.APPROVE, free, "1.0.0")));
        assertTrue(message(gate.decide(actor("session", free), Action.APPROVE, free, "1.0.0"))
                .startsWith("You must enable two-factor authentication to approve free@1.0.0."));
        PackageName corp = PackageName.parse("@corp/strict");
        assertTrue(
                message(gate.decide(actor("session", corp), Action.STAGE, corp))
                        .startsWith(
                                "Org \"corp\" requires two-factor authentication for its members: you cannot stage @corp/strict"));
        assertEquals(
                new Decision.NeedsSecurityKey("approve keyappr@1.0.0"),
                gate.decide(
                        actor("keyonly", PackageName.parse("keyappr")),
                        Action.APPROVE,
                        PackageName.parse("keyappr"),
                        "1.0.0"));
        assertEquals(
                new Decision.NeedsOtp("make changes"), gate.decide(actor("totp", free), Action.CHANGE_DIST_TAGS, free));
    }

    /** The fence around trusted-publishing tokens, for every request: read, publish, stage — nothing else. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /free                          | allowed
            HEAD   | /free/-/free-1.0.0.tgz         | allowed
            GET    | /-/package/free/visibility     | allowed
            PUT    | /free                          | allowed
            POST   | /-/stage/package/free          | allowed
            POST   | /-/npm/v1/oidc/token/exchange  | allowed
            GET    | /-/whoami                      | 403
            GET    | /-/stage                       | 403
            DELETE | /free/-rev/3-abc               | 403
            POST   | /-/npm/v1/tokens               | 403
            PUT    | /-/package/free/dist-tags/next | 403
            """)
    void trustedPublishingFence(String method, String path, String expected) {
        PackageName free = PackageName.parse("free");
        assertEquals(
                expected,
                gate.decideRequest(actor("oidc-publish", free), method, path).brief());
        assertEquals(
                "allowed",
                gate.decideRequest(actor("token-rw", free), method, path).brief());
    }

    /** Enforcing a decision verifies the factor: no code presented is npm's OTP challenge; a refusal is thrown as is. */
    @Test
    void enforcingChallengesOrThrows() {
        PackageName free = PackageName.parse("free");
        AirlockException otp = assertThrows(
                AirlockException.class, () -> gate.authorise(actor("totp", free), Action.CHANGE_DIST_TAGS, free));
        assertEquals(ErrorCode.OTP_REQUIRED, otp.code());
        AirlockException refused = assertThrows(
                AirlockException.class, () -> gate.authorise(actor("bypass", free), Action.CHANGE_OWNERS, free));
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        assertEquals(null, gate.authorise(actor("session", free), Action.CHANGE_DIST_TAGS, free));
    }

    /** Expiry and CIDR are checked when a token is resolved: such a token never reaches the gate as an actor. */
    @Test
    void expiredAndOutOfRangeTokensNeverBecomeActors() {
        Actor plain = actor("session", null);
        String expired = airlock.tokens
                .issue(plain, "plain", "old", null, null, System.currentTimeMillis() - 1, null)
                .secret();
        assertEquals(
                ErrorCode.UNAUTHORIZED,
                assertThrows(AirlockException.class, () -> airlock.tokens.resolve(expired, "127.0.0.1"))
                        .code());
        String ranged = airlock.tokens
                .issue(plain, "plain", "ci", null, List.of("10.0.0.0/8"), null, null)
                .secret();
        assertEquals(
                ErrorCode.IP_NOT_ALLOWED,
                assertThrows(AirlockException.class, () -> airlock.tokens.resolve(ranged, "127.0.0.1"))
                        .code());
        assertEquals("plain", airlock.tokens.resolve(ranged, "10.1.2.3").user());
    }

    private static String message(Decision d) {
        return ((Decision.Refused) d).message();
    }
}
