package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.console.view.PackagePages;
import dev.airlock.policy.PolicyService;
import dev.airlock.policy.Policy;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        Map<String, Object> policy = policies.ofPackageView(actor, name);
        Map<String, Object> own = map(policy, "own");
        Map<String, Object> inherited = map(policy, "inherited");
        Map<String, Object> effective = map(policy, "effective");
        String org = (String) policy.get("org");
        List<PackagePages.Setting> settings = new ArrayList<>();
        for (String[] f : FIELDS) {
            Object mine = own.get(f[0]);
            Object theirs = inherited.get(f[0]);
            String source = "securityKeyApproval".equals(f[0]) && Boolean.TRUE.equals(theirs) ? "org " + org + ", which packages cannot relax"
                    : mine != null ? "this package" : theirs != null ? "org " + org : "default";
            settings.add(new PackagePages.Setting(f[0], f[1], shown(mine), org == null ? "no org" : shown(theirs),
                    String.valueOf(effective.get(f[0])), source));
        }
        if (org != null) {
            settings.add(new PackagePages.Setting("orgRequires2fa", "Org members need two-factor authentication", "\u2014",
                    shown(inherited.get("require2fa")), String.valueOf(effective.get("orgRequires2fa")), null));
        }
        PackagePages.Form form = null;
        if (policies.canChange(actor, name)) {
            form = new PackagePages.Form(url(name), String.valueOf(effective.get("mfa")),
                    List.of(Policy.MFA_NONE, Policy.MFA_PUBLISH, Policy.MFA_AUTOMATION), Boolean.TRUE.equals(effective.get("stagingRequired")),
                    String.valueOf(effective.get("approvals")), Boolean.TRUE.equals(effective.get("securityKeyApproval")),
                    stepUp.key(s, "package-policy:" + name, "save-policy-key", "Save with security key"));
        }
        return new PackagePages.Policy(name.toString(), "/-/console/package/" + name, org, done, settings, form);
    }

    /**
     * Saves the form: only the settings whose submitted value differs from the effective one are written to the
     * package, so an untouched setting keeps following the org. Write access and the second factor are
     * {@link PolicyService#setPackage}'s checks, the same as the policy API's.
     */
    void save(Actor actor, PackageName name, String mfa, String stagingRequired, String approvals, String securityKeyApproval) {
        Map<String, Object> effective = map(policies.ofPackageView(actor, name), "effective");
        Integer n = null;
        if (approvals != null && !approvals.isBlank()) {
            try {
                n = Integer.parseInt(approvals.trim());
            } catch (NumberFormatException e) {
                throw AirlockException.badRequest("Approvals must be a whole number from 1 to 10.");
            }
        }
        Policy change = new Policy(changed(effective, "mfa", mfa == null || mfa.isBlank() ? null : mfa),
                changed(effective, "stagingRequired", "true".equals(stagingRequired)), changed(effective, "approvals", n),
                null, changed(effective, "securityKeyApproval", "true".equals(securityKeyApproval)));
        policies.setPackage(actor, name, change);
    }

    private static <T> T changed(Map<String, Object> effective, String field, T submitted) {
        return submitted == null || Objects.equals(effective.get(field), submitted) ? null : submitted;
    }

    private static String shown(Object value) {
        return value == null ? "\u2014" : String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> policy, String key) {
        return (Map<String, Object>) policy.get(key);
    }
}
