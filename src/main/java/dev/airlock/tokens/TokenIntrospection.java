package dev.airlock.tokens;

import dev.airlock.shared.TokenScope;
import java.time.Instant;
import java.util.List;

/**
 * What a bearer token is, as {@code GET /-/airlock/v1/token} answers it to whoever presents it: never the secret or
 * its hash, only its public id (the first 16 hex digits of the key, as npm token list and the audit log show it).
 * {@code scopes} is null for a token acting with all of its owner's rights.
 */
public record TokenIntrospection(
        String id,
        String type,
        String user,
        String name,
        boolean readonly,
        boolean bypass2fa,
        List<String> cidr,
        String created,
        String expires,
        String lastUsed,
        Scopes scopes,
        Permissions permissions) {

    /** A granular or trusted-publishing token's restrictions (names sorted). */
    public record Scopes(
            List<String> packages,
            boolean allPackages,
            List<String> scopes,
            List<String> orgs,
            String packagesPermission,
            String orgsPermission,
            List<String> allowed) {}

    /** What the token may do at most (the package's policy and the second factor still apply to each write). */
    public record Permissions(boolean read, boolean write, boolean publish, boolean stage, String orgs) {}

    static TokenIntrospection of(Token t) {
        TokenScope s = t.scope();
        Scopes scopes = s == null
                ? null
                : new Scopes(
                        s.packages().stream().sorted().toList(),
                        s.allPackages(),
                        s.scopes().stream().sorted().toList(),
                        s.orgs().stream().sorted().toList(),
                        s.packagePermission(),
                        s.orgPermission(),
                        s.allowed().stream().sorted().toList());
        return new TokenIntrospection(
                dev.airlock.shared.Actor.tokenId(t.key()),
                t.kind(),
                t.user(),
                TokenService.nameOf(t),
                t.readonly(),
                t.bypass2fa(),
                t.cidr() == null ? List.of() : t.cidr(),
                time(t.createdAt()),
                time(t.expiresAt()),
                time(t.lastUsedAt()),
                scopes,
                permissions(t));
    }

    private static Permissions permissions(Token t) {
        TokenScope s = t.scope();
        if (s == null) {
            boolean write = !t.readonly();
            return new Permissions(true, write, write, write, write ? TokenScope.READ_WRITE : TokenScope.READ_ONLY);
        }
        if (Token.OIDC.equals(t.kind())) {
            boolean publish = s.allowed().contains("publish");
            boolean stage = s.allowed().contains("stage");
            return new Permissions(true, publish || stage, publish, stage, TokenScope.NO_ACCESS);
        }
        boolean read = !TokenScope.NO_ACCESS.equals(s.packagePermission());
        boolean write = !t.readonly() && TokenScope.READ_WRITE.equals(s.packagePermission());
        return new Permissions(
                read, write, write, write, s.orgs().isEmpty() ? TokenScope.NO_ACCESS : s.orgPermission());
    }

    private static String time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }
}
