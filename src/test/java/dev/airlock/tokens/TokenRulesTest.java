package dev.airlock.tokens;

import static dev.airlock.testing.Services.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.platform.crypto.Hashes;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import dev.airlock.shared.TokenScope;
import dev.airlock.testing.Services;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tokens feature's rules against a temporary SQLite database: a secret is shown once and only its SHA-256 is
 * stored; expiry, revocation and the CIDR list are checked when a token is resolved; a scope limits what it reaches.
 */
class TokenRulesTest {
    static final String INVALID = "Your token is invalid, expired or revoked. Run `npm login` to get a new one.";
    Services s;
    Actor alice;
    TokenService tokens;

    @BeforeEach
    void setUp() {
        s = Services.start();
        alice = s.user("alice");
        s.user("bob");
        tokens = s.airlock.tokens;
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Test
    void onlyTheHashOfASecretIsStored() {
        IssuedToken issued = tokens.issue(alice, "alice", "ci", "for CI", null, null, null);
        assertTrue(issued.secret().matches("npm_[A-Za-z0-9]{36}"), issued.secret());
        assertEquals(Hashes.sha256Hex(issued.secret()), issued.token().key());
        assertEquals(issued.secret().substring(0, 6), issued.token().display());
        assertEquals(Token.GRANULAR, issued.token().kind());
        List<String> rows = s.airlock.db.read(tx -> tx.handle()
                .createQuery("SELECT * FROM tokens")
                .map((rs, c) -> {
                    StringBuilder all = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        all.append(rs.getString(i)).append('|');
                    }
                    return all.toString();
                })
                .list());
        assertEquals(1, rows.size());
        assertFalse(rows.get(0).contains(issued.secret().substring(4)), rows.get(0));
        assertTrue(rows.get(0).contains(issued.token().key()));
        Token resolved = tokens.resolve(issued.secret(), "127.0.0.1");
        assertEquals("alice", resolved.user());
        assertEquals("ci", resolved.name());
        fails(
                ErrorCode.UNAUTHORIZED,
                INVALID,
                () -> tokens.resolve(issued.token().key(), "127.0.0.1"));
    }

    @Test
    void expiryAndAddressRangesAreCheckedAtResolution() {
        long in1h = s.clock.millis() + Duration.ofHours(1).toMillis();
        String expiring =
                tokens.issue(alice, "alice", "soon", null, null, in1h, null).secret();
        assertEquals("alice", tokens.resolve(expiring, "127.0.0.1").user());
        String ranged = tokens.issue(alice, "alice", "ci", null, List.of("10.0.0.0/8", "192.168.1.7/32"), null, null)
                .secret();
        fails(
                ErrorCode.IP_NOT_ALLOWED,
                "This token may only be used from 10.0.0.0/8, 192.168.1.7/32.",
                () -> tokens.resolve(ranged, "127.0.0.1"));
        assertEquals("alice", tokens.resolve(ranged, "10.200.0.1").user());
        assertEquals("alice", tokens.resolve(ranged, "192.168.1.7").user());
        fails(
                ErrorCode.IP_NOT_ALLOWED,
                "This token may only be used from 10.0.0.0/8, 192.168.1.7/32.",
                () -> tokens.resolve(ranged, "192.168.1.8"));
        s.clock.advance(Duration.ofHours(1).plusSeconds(1));
        fails(ErrorCode.UNAUTHORIZED, INVALID, () -> tokens.resolve(expiring, "127.0.0.1"));
        assertEquals(
                List.of("ci"), tokens.list("alice").stream().map(Token::name).toList());
    }

    @Test
    void aSessionLivesForTheConfiguredDays() {
        IssuedToken session = s.airlock.db.write(tx -> tokens.issueSession(tx, alice, "alice"));
        assertEquals(Token.SESSION, session.token().kind());
        assertEquals(
                Duration.ofDays(30).toMillis(),
                session.token().expiresAt() - session.token().createdAt());
        s.clock.advance(Duration.ofDays(30).minusMinutes(1));
        assertEquals("alice", tokens.resolve(session.secret(), "127.0.0.1").user());
        s.clock.advance(Duration.ofMinutes(2));
        fails(ErrorCode.UNAUTHORIZED, INVALID, () -> tokens.resolve(session.secret(), "127.0.0.1"));
    }

    @Test
    void onlyTheOwnerRevokesAndARevokedTokenIsDead() {
        IssuedToken one = tokens.issue(alice, "alice", "one", null, null, null, null);
        IssuedToken two = tokens.issue(alice, "alice", "two", null, null, null, null);
        fails(
                ErrorCode.NOT_FOUND,
                "No such token.",
                () -> tokens.revoke(Services.session("bob"), one.token().key()));
        tokens.revoke(alice, one.token().key());
        fails(ErrorCode.UNAUTHORIZED, INVALID, () -> tokens.resolve(one.secret(), "127.0.0.1"));
        fails(
                ErrorCode.NOT_FOUND,
                "No such token.",
                () -> tokens.revoke(alice, one.token().key()));
        tokens.revoke(alice, two.secret()); // by the full secret, as npm token revoke accepts
        fails(ErrorCode.UNAUTHORIZED, INVALID, () -> tokens.resolve(two.secret(), "127.0.0.1"));
        assertEquals(List.of(), tokens.list("alice"));
    }

    @Test
    void aScopeIsStoredAndLimitsWhatTheTokenReaches() {
        TokenScope scope = TokenScope.builder()
                .packages(Set.of("widget"))
                .scopes(Set.of("@corp"))
                .orgs(Set.of("corp"))
                .packagePermission(TokenScope.READ_WRITE)
                .orgPermission(TokenScope.READ_ONLY)
                .bypass2fa(true)
                .build();
        IssuedToken issued = tokens.issue(alice, "alice", "scoped", null, null, null, scope);
        Token resolved = tokens.resolve(issued.secret(), "127.0.0.1");
        assertEquals(scope, resolved.scope());
        assertTrue(resolved.bypass2fa());
        TokenScope sc = resolved.scope();
        assertTrue(sc.allowsPackage(PackageName.parse("widget"), true));
        assertTrue(sc.allowsPackage(PackageName.parse("@corp/lib"), true));
        assertFalse(sc.allowsPackage(PackageName.parse("other"), false));
        assertTrue(sc.allowsOrg("corp", false));
        assertFalse(sc.allowsOrg("corp", true));
        TokenScope readOnly = TokenScope.builder().allPackages(true).build();
        assertEquals(TokenScope.READ_ONLY, readOnly.packagePermission());
        assertTrue(readOnly.allowsPackage(PackageName.parse("any"), false));
        assertFalse(readOnly.allowsPackage(PackageName.parse("any"), true));
        TokenScope none = TokenScope.builder()
                .allPackages(true)
                .packagePermission(TokenScope.NO_ACCESS)
                .build();
        assertFalse(none.allowsPackage(PackageName.parse("any"), false));
        AirlockException bad = org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class,
                () -> TokenScope.builder()
                        .allPackages(true)
                        .packagePermission("write")
                        .build());
        assertEquals("packages_and_scopes_permission must be read-only, read-write or no-access.", bad.getMessage());
        assertNull(tokens.issue(alice, "alice", "plain", null, null, null, null)
                .token()
                .scope());
    }

    @Test
    void operatorsRevokeInBulk() {
        tokens.issue(
                alice,
                "alice",
                "a",
                null,
                null,
                null,
                TokenScope.builder()
                        .allPackages(true)
                        .packagePermission(TokenScope.READ_WRITE)
                        .bypass2fa(true)
                        .build());
        tokens.issue(alice, "alice", "b", null, null, null, null);
        List<Token> bypass = tokens.inventory(true, null, null);
        assertEquals(List.of("a"), bypass.stream().map(Token::name).toList());
        assertEquals(1, tokens.revokeAll(Actor.operator(), bypass));
        assertEquals(0, tokens.revokeAll(Actor.operator(), bypass));
        assertEquals(
                List.of("b"), tokens.list("alice").stream().map(Token::name).toList());
    }
}
