package dev.airlock;

import dev.airlock.platform.json.Json;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyView;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code airlock policy show|set}: package and org policies from the server's command line (docs/policies.md). */
@Command(
        name = "policy",
        description = "Show or change package and org policies.",
        subcommands = {PolicyCommand.Show.class, PolicyCommand.Set.class})
final class PolicyCommand {

    static final class Subject {
        @Option(names = "--package", description = "a package name")
        String pkg;

        @Option(names = "--org", description = "an org name")
        String org;
    }

    @Command(name = "show", description = "Print a package's own and effective policy, or an org's policy, as JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @ArgGroup(multiplicity = "1")
        Subject subject;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                Object view = subject.pkg != null
                        ? airlock.policies.ofPackageView(Actor.operator(), PackageName.parse(subject.pkg))
                        : new PolicyView.OfOrg(subject.org, airlock.policies.ofOrg(Actor.operator(), subject.org));
                System.out.println(Json.write(view));
            }
            return 0;
        }
    }

    @Command(name = "set", description = "Change a policy; options not given stay as they are.")
    static final class Set implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @ArgGroup(multiplicity = "1")
        Subject subject;

        @Option(names = "--mfa", description = "none, publish or automation (npm access set mfa=…)")
        String mfa;

        @Option(
                names = "--staging-required",
                arity = "1",
                description = "true: direct npm publish is refused; stage and approve")
        Boolean stagingRequired;

        @Option(names = "--approvals", description = "distinct maintainers who must approve a staged version (1-10)")
        Integer approvals;

        @Option(
                names = "--require-2fa",
                arity = "1",
                description = "org only: members need 2FA to publish, stage or approve")
        Boolean require2fa;

        @Option(
                names = "--security-key-approval",
                arity = "1",
                description =
                        "true: approving a staged version needs a security key (WebAuthn); TOTP and recovery codes are refused")
        Boolean securityKeyApproval;

        @Option(
                names = "--require-provenance",
                description =
                        "every release needs verified provenance built in this repository (github.com/acme/widget,"
                                + " or github.com/acme/* for an owner); none switches an inherited requirement off")
        String requireProvenance;

        @Override
        public Integer call() {
            Policy change =
                    new Policy(mfa, stagingRequired, approvals, require2fa, securityKeyApproval, requireProvenance);
            if (change.equals(Policy.EMPTY)) {
                throw AirlockException.badRequest(
                        "Nothing to change: give --mfa, --staging-required, --approvals, --require-2fa,"
                                + " --security-key-approval or --require-provenance.");
            }
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                if (subject.pkg != null) {
                    PackageName name = PackageName.parse(subject.pkg);
                    airlock.policies.setPackage(Actor.operator(), name, change);
                    System.out.println(Json.write(airlock.policies.ofPackageView(Actor.operator(), name)));
                } else {
                    airlock.policies.setOrg(Actor.operator(), subject.org, change);
                    System.out.println(Json.write(
                            new PolicyView.OfOrg(subject.org, airlock.policies.ofOrg(Actor.operator(), subject.org))));
                }
            }
            return 0;
        }
    }
}
