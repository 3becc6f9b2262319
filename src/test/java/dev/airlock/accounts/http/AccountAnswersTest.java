package dev.airlock.accounts.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.accounts.User;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.TokenScope;
import dev.airlock.tokens.Token;
import dev.airlock.twofactor.TwoFactorStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exact JSON npm token list/create and npm profile get parse: field names, order, nulls, absent fields. */
class AccountAnswersTest {
    private static final long T = 1_700_000_000_000L;

    private static Token.Builder token() {
        return Token.builder()
                .key("k1")
                .user("alice")
                .kind(Token.GRANULAR)
                .display("npm_ab")
                .timestamps(T, T + 1000);
    }

    @Test
    void aTokenWithAllOfItsOwnersRightsHasNoGranularFields() {
        assertThat(Json.write(TokenRoutes.view(token().build())))
                .isEqualTo("{\"key\":\"k1\",\"token\":\"npm_ab\",\"name\":null,"
                        + "\"description\":null,\"type\":\"granular\",\"created\":\"2023-11-14T22:13:20Z\",\"updated\":\"2023-11-14T22:13:21Z\","
                        + "\"expires\":null,\"readonly\":false,\"cidr_whitelist\":null,\"last_used\":null,\"last_used_from\":null,"
                        + "\"bypass_2fa\":false}");
    }

    @Test
    void aScopedTokenListsItsSelectionSorted() {
        TokenScope scope = TokenScope.builder()
                .packages(Set.of("b", "a"))
                .scopes(Set.of("@corp"))
                .orgs(Set.of("corp"))
                .packagePermission(TokenScope.READ_WRITE)
                .bypass2fa(true)
                .build();
        Token t = token().named("ci", "for CI")
                .cidr(List.of("10.0.0.0/8"))
                .bypass2fa(true)
                .expiresAt(T + 2000)
                .lastUsed(T + 3000, "127.0.0.1")
                .scope(scope)
                .build();
        assertThat(Json.write(TokenRoutes.view(t)))
                .isEqualTo(
                        "{\"key\":\"k1\",\"token\":\"npm_ab\",\"name\":\"ci\","
                                + "\"description\":\"for CI\",\"type\":\"granular\",\"created\":\"2023-11-14T22:13:20Z\","
                                + "\"updated\":\"2023-11-14T22:13:21Z\",\"expires\":\"2023-11-14T22:13:22Z\",\"readonly\":false,"
                                + "\"cidr_whitelist\":[\"10.0.0.0/8\"],\"last_used\":\"2023-11-14T22:13:23Z\",\"last_used_from\":\"127.0.0.1\","
                                + "\"bypass_2fa\":true,\"packages\":[\"a\",\"b\"],\"packages_all\":false,\"scopes\":[\"@corp\"],"
                                + "\"orgs\":[\"corp\"],\"packages_and_scopes_permission\":\"read-write\",\"orgs_permission\":\"read-only\"}");
    }

    @Test
    void aNewTokenShowsItsSecretOnce() {
        assertThat(Json.write(TokenRoutes.TokenView.of(token().build(), "npm_secret")))
                .startsWith("{\"key\":\"k1\",\"token\":\"npm_secret\",\"name\":null,");
    }

    @Test
    void theTokenListHasAnEmptyNextLink() {
        assertThat(Json.write(TokenRoutes.TokenList.of(List.of(TokenRoutes.view(token().build())))))
                .startsWith("{\"objects\":[{\"key\":\"k1\",")
                .endsWith("}],\"total\":1,\"urls\":{\"next\":null}}");
    }

    @Test
    void theProfileSaysFalseWithoutTwoFactorAndAnObjectWithIt() {
        User u = new User("alice", "a@example.com", false, "Alice", null, null, null, "alice-gh", T, T + 1000);
        String tail =
                ",\"created\":\"2023-11-14T22:13:20Z\",\"updated\":\"2023-11-14T22:13:21Z\",\"fullname\":\"Alice\","
                        + "\"homepage\":null,\"freenode\":null,\"twitter\":null,\"github\":\"alice-gh\",\"cidr_whitelist\":null}";
        String head = "{\"name\":\"alice\",\"email\":\"a@example.com\",\"email_verified\":true,\"tfa\":";
        assertThat(Json.write(AccountRoutes.profile(u, null))).isEqualTo(head + "false" + tail);
        assertThat(Json.write(AccountRoutes.profile(u, new TwoFactorStatus("auth-only", true))))
                .isEqualTo(head + "{\"mode\":\"auth-only\",\"pending\":true}" + tail);
    }

    @Test
    void theLegacyLoginAnswer() {
        assertThat(Json.write(new AccountRoutes.CouchLogin(true, "org.couchdb.user:alice", "1-abc", "npm_x")))
                .isEqualTo("{\"ok\":true,\"id\":\"org.couchdb.user:alice\",\"rev\":\"1-abc\",\"token\":\"npm_x\"}");
    }
}
