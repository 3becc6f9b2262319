package dev.airlock;

import dev.airlock.shared.Actor;
import dev.airlock.signing.RegistryKey;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code airlock keys list|rotate}: the registry's signing keys (docs/verification.md). */
@Command(
        name = "keys",
        description = "List or rotate the registry's signing keys (dist.signatures, /-/npm/v1/keys).",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
final class KeysCommand {

    @Command(name = "list", description = "Every key that signed versions here, the current one first.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                System.out.println("KEYID\tCREATED\tEXPIRES");
                for (RegistryKey k : airlock.signer.keys()) {
                    System.out.println(String.join(
                            "\t",
                            k.keyid(),
                            Instant.ofEpochMilli(k.createdAt()).toString(),
                            k.current()
                                    ? "current"
                                    : Instant.ofEpochMilli(k.expiresAt()).toString()));
                }
            }
            return 0;
        }
    }

    @Command(
            name = "rotate",
            description = "A new key signs new versions from now; the current key expires now and its signatures"
                    + " stay valid for the versions published before.")
    static final class Rotate implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                RegistryKey k = airlock.signer.rotate(Actor.operator());
                System.out.println("New signing key " + k.keyid() + "; the previous key expires now.");
            }
            return 0;
        }
    }
}
