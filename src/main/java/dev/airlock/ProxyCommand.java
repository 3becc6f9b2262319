package dev.airlock;

import dev.airlock.proxy.ProxyControls;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import dev.airlock.shared.PackageName;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock proxy allow|block|unblock|why|rules|purge}: the operators' decisions on upstream versions (docs/proxy.md,
 * "Cooldown and blocks"). Each decision is audited and applies to the served packuments and tarballs at once.
 */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        description = "Release, block and explain upstream versions served through proxy.upstream(s).",
        subcommands = {
            ProxyCommand.Allow.class,
            ProxyCommand.Block.class,
            ProxyCommand.Unblock.class,
            ProxyCommand.Why.class,
            ProxyCommand.Rules.class,
            ProxyCommand.Purge.class
        })
final class ProxyCommand {

    /** NAME@SPEC split at the last '@' that is not the scope's. */
    static String[] split(String arg) {
        int at = arg.lastIndexOf('@');
        if (at <= 0) {
            throw new AirlockException(
                    ErrorCode.BAD_REQUEST, "Expected NAME@VERSION or NAME@RANGE, e.g. left-pad@1.3.0; got " + arg);
        }
        return new String[] {arg.substring(0, at), arg.substring(at + 1)};
    }

    static <T> T withControls(Airlock.Common common, java.util.function.Function<ProxyControls, T> body) {
        try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
            if (airlock.proxy == null) {
                throw new AirlockException(
                        ErrorCode.BAD_REQUEST,
                        "No upstream is configured (proxy.upstream or proxy.upstreams); there is nothing to proxy");
            }
            return body.apply(airlock.proxy.controls());
        }
    }

    @Command(name = "allow", description = "Serve one upstream version before its cooldown ends (audited).")
    static final class Allow implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "NAME@VERSION")
        String spec;

        @Override
        public Integer call() {
            String[] s = split(spec);
            boolean added = withControls(common, c -> c.allow(Actor.operator(), PackageName.parse(s[0]), s[1]));
            System.out.println(
                    (added ? "Allowed " : "Already allowed ") + s[0] + "@" + s[1] + " before its cooldown ends");
            return 0;
        }
    }

    @Command(name = "block", description = "Never serve an upstream version or range of versions (audited).")
    static final class Block implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(
                index = "0",
                paramLabel = "NAME@RANGE",
                description = "e.g. left-pad@1.3.0 or 'left-pad@>=1.3.0 <2'")
        String spec;

        @Option(names = "--reason", required = true, description = "why (shown by `proxy why`, audited)")
        String reason;

        @Override
        public Integer call() {
            String[] s = split(spec);
            boolean added = withControls(common, c -> c.block(Actor.operator(), PackageName.parse(s[0]), s[1], reason));
            System.out.println(
                    (added ? "Blocked " : "Already blocked ") + s[0] + "@" + s[1] + "; it is no longer served");
            return 0;
        }
    }

    @Command(name = "unblock", description = "Lift a block (the exact NAME@RANGE it was made with; audited).")
    static final class Unblock implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "NAME@RANGE")
        String spec;

        @Override
        public Integer call() {
            String[] s = split(spec);
            withControls(common, c -> {
                c.unblock(Actor.operator(), PackageName.parse(s[0]), s[1]);
                return null;
            });
            System.out.println("Unblocked " + s[0] + "@" + s[1]);
            return 0;
        }
    }

    @Command(name = "why", description = "Say whether an upstream version is served, and if not, why.")
    static final class Why implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", paramLabel = "NAME@VERSION")
        String spec;

        @Override
        public Integer call() {
            String[] s = split(spec);
            String why = withControls(common, c -> c.why(Actor.operator(), PackageName.parse(s[0]), s[1]));
            System.out.println(why);
            return 0;
        }
    }

    @Command(name = "rules", description = "List the blocks and allows in force, for every name or one.")
    static final class Rules implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            PackageName only = name == null ? null : PackageName.parse(name);
            java.util.List<String> rules = withControls(common, c -> c.rules(only));
            if (rules.isEmpty()) {
                System.out.println(
                        "No blocks or allows" + (only == null ? "" : " for " + only) + " (proxy block, proxy allow)");
            }
            rules.forEach(System.out::println);
            return 0;
        }
    }

    @Command(
            name = "purge",
            description = "Forget the cached copies of upstream packages (all with --all); the next read fetches them"
                    + " again. Blocks, allows and cooldown times are kept (audited).")
    static final class Purge implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Parameters(arity = "0..*", paramLabel = "NAME")
        java.util.List<String> names = new java.util.ArrayList<>();

        @Option(names = "--all", description = "Forget every cached upstream package.")
        boolean all;

        @Override
        public Integer call() {
            if (all == !names.isEmpty()) {
                throw new AirlockException(
                        ErrorCode.BAD_REQUEST, "Name the packages to purge, or give --all (not both)");
            }
            java.util.List<PackageName> parsed =
                    names.stream().map(PackageName::parse).toList();
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                if (airlock.proxy == null) {
                    throw new AirlockException(
                            ErrorCode.BAD_REQUEST,
                            "No upstream is configured (proxy.upstream or proxy.upstreams); there is nothing to purge");
                }
                dev.airlock.proxy.ProxyService.Purged p = airlock.proxy.purge(Actor.operator(), parsed);
                System.out.println("Forgot " + p.packuments() + " cached packument(s) and " + p.tarballs()
                        + " tarball(s); deleted " + p.blobFiles() + " blob file(s).");
            }
            return 0;
        }
    }
}
