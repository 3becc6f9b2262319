package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.PackagePages;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.policy.PolicyView;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The console's package policy page ({@code /-/console/policy/NAME}): the package's own policy, what it inherits
 * from its org, and the effective result; and, for those who may change it, a form. Reading and writing go through
 * the same {@link PolicyService} calls as the policy API, so visibility, write access and the second factor are
 * checked exactly as there.
 */
final class PolicyPages {
    static final String PREFIX = "/-/console/policy";
    private static final String[][] FIELDS = {
        {"mfa", "npm mfa setting"},
        {"stagingRequired", "Staging required (no direct npm publish)"},
        {"approvals", "Approvals needed for a staged version"},
        {"securityKeyApproval", "Approving a staged version requires a security key"},
    };
    private final PolicyService policies;
    private final StepUp stepUp;

    PolicyPages(PolicyService policies, StepUp stepUp) {
        this.policies = policies;
        this.stepUp = stepUp;
    }

    static String url(PackageName name) {
        return PREFIX + "/" + name;
    }

    PackagePages.Policy page(Actor actor, ConsoleSession s, PackageName name, String done) {
        PolicyView.OfPackage policy = policies.ofPackageView(actor, name);
        PolicyView.Effective effective = policy.effective();
        String org = policy.org();
        List<PackagePages.Setting> settings = new ArrayList<>();
        for (String[] f : FIELDS) {
            Object mine = field(policy.own(), f[0]);
            Object theirs = field(policy.inherited(), f[0]);
            String source = "securityKeyApproval".equals(f[0]) && Boolean.TRUE.equals(theirs)
                    ? "org " + org + ", which packages cannot relax"
                    : mine != null ? "this package" : theirs != null ? "org " + org : "default";
            settings.add(new PackagePages.Setting(
                    f[0],
                    f[1],
                    shown(mine),
                    org == null ? "no org" : shown(theirs),
                    String.valueOf(field(effective, f[0])),
                    source));
        }
        if (org != null) {
            settings.add(new PackagePages.Setting(
                    "orgRequires2fa",
                    "Org members need two-factor authentication",
                    "\u2014",
                    shown(policy.inherited().require2fa()),
                    String.valueOf(effective.orgRequires2fa()),
                    null));
        }
        PackagePages.Form form = null;
        if (policies.canChange(actor, name)) {
            form = new PackagePages.Form(
                    url(name),
                    effective.mfa(),
                    List.of(Policy.MFA_NONE, Policy.MFA_PUBLISH, Policy.MFA_AUTOMATION),
                    effective.stagingRequired(),
                    String.valueOf(effective.approvals()),
                    effective.securityKeyApproval(),
                    stepUp.key(s, "package-policy:" + name, "save-policy-key", "Save with security key"));
        }
        return new PackagePages.Policy(name.toString(), "/-/console/package/" + name, org, done, settings, form);
    }

    /**
     * Saves the form: only the settings whose submitted value differs from the effective one are written to the
     * package, so an untouched setting keeps following the org. Write access and the second factor are
     * {@link PolicyService#setPackage}'s checks, the same as the policy API's.
     */
    void save(
            Actor actor,
            PackageName name,
            String mfa,
            String stagingRequired,
            String approvals,
            String securityKeyApproval) {
        PolicyView.Effective effective = policies.ofPackageView(actor, name).effective();
        Integer n = null;
        if (approvals != null && !approvals.isBlank()) {
            try {
                n = Integer.parseInt(approvals.trim());
            } catch (NumberFormatException e) {
                throw AirlockException.badRequest("Approvals must be a whole number from 1 to 10.");
            }
        }
        Policy change = new Policy(
                changed(effective.mfa(), mfa == null || mfa.isBlank() ? null : mfa),
                changed(effective.stagingRequired(), "true".equals(stagingRequired)),
                changed(effective.approvals(), n),
                null,
                changed(effective.securityKeyApproval(), "true".equals(securityKeyApproval)));
        policies.setPackage(actor, name, change);
    }

    private static <T> T changed(Object effective, T submitted) {
        return submitted == null || Objects.equals(effective, submitted) ? null : submitted;
    }

    private static String shown(Object value) {
        return value == null ? "\u2014" : String.valueOf(value);
    }

    /** One of the form's settings of a policy, by its JSON name. */
    private static Object field(Policy p, String field) {
        return switch (field) {
            case "mfa" -> p.mfa();
            case "stagingRequired" -> p.stagingRequired();
            case "approvals" -> p.approvals();
            case "securityKeyApproval" -> p.securityKeyApproval();
            default -> throw new IllegalArgumentException(field);
        };
    }

    /** One of the form's settings of the effective policy, by its JSON name. */
    private static Object field(PolicyView.Effective e, String field) {
        return switch (field) {
            case "mfa" -> e.mfa();
            case "stagingRequired" -> e.stagingRequired();
            case "approvals" -> e.approvals();
            case "securityKeyApproval" -> e.securityKeyApproval();
            default -> throw new IllegalArgumentException(field);
        };
    }
}
