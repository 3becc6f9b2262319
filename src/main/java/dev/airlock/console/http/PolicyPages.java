package dev.airlock.console.http;

import dev.airlock.console.ConsoleSession;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.util.Map;
import java.util.Objects;

/**
 * The console's package policy page ({@code /-/console/policy/NAME}): the package's own policy, what it inherits
 * from its org, and the effective result; and, for those who may change it, a form. Reading and writing go through
 * the same {@link PackageService} calls as the policy API, so visibility, write access and the second factor are
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

    String page(Actor actor, ConsoleSession s, PackageName name, String done) {
        Map<String, Object> policy = policies.ofPackageView(actor, name);
        Map<String, Object> own = map(policy, "own");
        Map<String, Object> inherited = map(policy, "inherited");
        Map<String, Object> effective = map(policy, "effective");
        String org = (String) policy.get("org");
        StringBuilder b = new StringBuilder("<h1>Policy of <a href=\"/-/console/package/").append(Html.esc(name)).append("\">")
                .append(Html.esc(name)).append("</a></h1>");
        if (done != null) {
            b.append("<p class=\"ok\" id=\"done\">Policy saved.</p>");
        }
        b.append("<section id=\"effective\"><h2>Effective policy</h2><table><tr><th>Setting</th><th>This package</th><th>")
                .append(org == null ? "Org" : "Org " + Html.esc(org)).append("</th><th>Applies</th></tr>");
        for (String[] f : FIELDS) {
            Object mine = own.get(f[0]);
            Object theirs = inherited.get(f[0]);
            String source = "securityKeyApproval".equals(f[0]) && Boolean.TRUE.equals(theirs) ? "org " + org + ", which packages cannot relax"
                    : mine != null ? "this package" : theirs != null ? "org " + org : "default";
            b.append("<tr data-field=\"").append(f[0]).append("\"><td>").append(Html.esc(f[1])).append("</td><td class=\"own\">")
                    .append(shown(mine)).append("</td><td class=\"inherited\">").append(org == null ? "no org" : shown(theirs))
                    .append("</td><td class=\"value\">").append(Html.esc(effective.get(f[0]))).append(" <small class=\"source\">(")
                    .append(Html.esc(source)).append(")</small></td></tr>");
        }
        if (org != null) {
            b.append("<tr data-field=\"orgRequires2fa\"><td>Org members need two-factor authentication</td><td class=\"own\">—</td>")
                    .append("<td class=\"inherited\">").append(shown(inherited.get("require2fa"))).append("</td><td class=\"value\">")
                    .append(Html.esc(effective.get("orgRequires2fa"))).append("</td></tr>");
        }
        b.append("</table></section>");
        if (policies.canChange(actor, name)) {
            b.append("<h2>Change</h2><p>Settings you leave as they are keep following the org (or the default); a setting you"
                    + " change is set on this package.</p><form method=\"post\" action=\"").append(Html.esc(url(name)))
                    .append("\" id=\"package-policy\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(s.csrf())).append("\">")
                    .append("<label>npm mfa setting <select name=\"mfa\" id=\"mfa\">");
            for (String m : new String[] {Policy.MFA_NONE, Policy.MFA_PUBLISH, Policy.MFA_AUTOMATION}) {
                b.append("<option").append(m.equals(effective.get("mfa")) ? " selected" : "").append(">").append(m).append("</option>");
            }
            b.append("</select></label>")
                    .append(ConsolePages.checkbox("stagingRequired", FIELDS[1][1], (Boolean) effective.get("stagingRequired")))
                    .append("<label>").append(Html.esc(FIELDS[2][1])).append(" <input name=\"approvals\" id=\"approvals\" type=\"number\"")
                    .append(" min=\"1\" max=\"10\" value=\"").append(Html.esc(effective.get("approvals"))).append("\"></label>")
                    .append(ConsolePages.checkbox("securityKeyApproval", FIELDS[3][1], (Boolean) effective.get("securityKeyApproval")))
                    .append("<label>One-time password <input name=\"otp\" id=\"policy-otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\">")
                    .append("</label><button type=\"submit\" id=\"save-policy\">Save</button> ")
                    .append(stepUp.keyButton(s, "package-policy:" + name, "save-policy-key", "Save with security key")).append("</form>");
        } else {
            b.append("<p id=\"read-only\">Only the package's maintainers can change its policy.</p>");
        }
        return Html.page("Policy of " + name, s.user(), s.csrf(), b.toString());
    }

    /**
     * Saves the form: only the settings whose submitted value differs from the effective one are written to the
     * package, so an untouched setting keeps following the org. Write access and the second factor are
     * {@link PackageService#setPolicy}'s checks, the same as the policy API's.
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
        return value == null ? "—" : Html.esc(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> policy, String key) {
        return (Map<String, Object>) policy.get(key);
    }
}
