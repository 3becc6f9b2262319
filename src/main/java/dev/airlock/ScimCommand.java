package dev.airlock;

import dev.airlock.scim.ScimTokens;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./airlock scim token create|list|revoke}: the bearer tokens of SCIM clients (docs/deprovisioning.md). */
@Command(
        name = "scim",
        description = "SCIM 2.0 provisioning from an identity provider.",
        subcommands = {ScimCommand.Token.class})
final class ScimCommand {
    @Command(
            name = "token",
            description = "The bearer tokens identity providers use on /scim/v2.",
            subcommands = {ScimCommand.Create.class, ScimCommand.ListTokens.class, ScimCommand.Revoke.class})
    static final class Token {}

    @Command(name = "create", description = "Create a SCIM client token; it is printed once and stored only hashed.")
    static final class Create implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Option(names = "--description", description = "what uses it, e.g. \"Okta production\"")
        String description;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                ScimTokens.Created c = airlock.scim.clientTokens().create(description);
                System.out.println(c.secret());
                System.err.println("SCIM token " + c.id() + " created: give it to the identity provider as the bearer"
                        + " token of " + airlock.config.server().base() + "/scim/v2 (it is not shown again).");
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List SCIM client tokens (ids, never secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                for (ScimTokens.TokenInfo t : airlock.scim.clientTokens().list()) {
                    System.out.println(t.id() + "\t" + Instant.ofEpochMilli(t.createdAt()) + "\t"
                            + (t.revokedAt() != null
                                    ? "revoked"
                                    : t.lastUsedAt() == null
                                            ? "never used"
                                            : "used " + Instant.ofEpochMilli(t.lastUsedAt()))
                            + "\t" + t.description());
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a SCIM client token by its id.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", description = "token id (from scim token list)")
        String id;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                airlock.scim.clientTokens().revoke(id);
                System.out.println("Revoked SCIM token " + id);
            }
            return 0;
        }
    }
}
