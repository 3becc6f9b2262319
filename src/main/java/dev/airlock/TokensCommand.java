package dev.airlock;

import dev.airlock.orgs.OrgRole;
import dev.airlock.shared.Actor;
import dev.airlock.tokens.Token;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code airlock tokens list|revoke}: the inventory and the bulk response to a token leak (docs/tokens.md). */
@Command(
        name = "tokens",
        description = "List tokens, or revoke many at once after a leak.",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
final class TokensCommand {

    @Command(name = "list", description = "Live tokens with owner, kind, restrictions, creation and last use.")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(names = "--bypass-2fa", description = "only tokens that bypass two-factor authentication")
        boolean bypass;

        @Option(names = "--user", description = "only this user's tokens")
        String user;

        @Option(names = "--unused-days", description = "only tokens not used for at least N days")
        Integer unusedDays;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                List<Token> tokens = airlock.tokens.inventory(bypass, user, unusedDays);
                System.out.println("KEY\tUSER\tKIND\tBYPASS_2FA\tNAME\tCREATED\tLAST_USED\tLAST_FROM\tEXPIRES");
                for (Token t : tokens) {
                    System.out.println(String.join(
                            "\t",
                            t.key().substring(0, 12),
                            t.user(),
                            t.kind(),
                            String.valueOf(t.bypass2fa()),
                            t.name() == null ? "-" : t.name(),
                            Instant.ofEpochMilli(t.createdAt()).toString(),
                            t.lastUsedAt() == null
                                    ? "never"
                                    : Instant.ofEpochMilli(t.lastUsedAt()).toString(),
                            t.lastUsedFrom() == null ? "-" : t.lastUsedFrom(),
                            t.expiresAt() == null
                                    ? "never"
                                    : Instant.ofEpochMilli(t.expiresAt()).toString()));
                }
                System.out.println(tokens.size() + " token(s)");
            }
            return 0;
        }
    }

    @Command(
            name = "revoke",
            description = "Revoke every token that bypasses 2FA (optionally of one user or org's members).")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(
                names = "--bypass-2fa",
                required = true,
                description = "revoke tokens that bypass two-factor authentication")
        boolean bypass;

        @Option(names = "--user", description = "only this user's tokens")
        String user;

        @Option(names = "--org", description = "only tokens of this org's members")
        String org;

        @Option(names = "--yes", description = "do it; without --yes only say what would be revoked")
        boolean yes;

        @Override
        public Integer call() {
            if (user != null && org != null) {
                throw new IllegalArgumentException("give --user or --org, not both");
            }
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                List<Token> tokens = airlock.tokens.inventory(true, user, null);
                if (org != null) {
                    Map<String, OrgRole> members = airlock.orgs.members(Actor.operator(), org);
                    tokens = tokens.stream()
                            .filter(t -> members.containsKey(t.user()))
                            .toList();
                }
                if (!yes) {
                    System.out.println(
                            tokens.size() + " token(s) would be revoked; run again with --yes to revoke them.");
                    return 0;
                }
                int n = airlock.tokens.revokeAll(Actor.operator(), tokens);
                System.out.println("Revoked " + n + " token(s).");
            }
            return 0;
        }
    }
}
