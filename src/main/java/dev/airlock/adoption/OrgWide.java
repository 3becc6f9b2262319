package dev.airlock.adoption;

import dev.airlock.platform.db.Tx;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyService;
import dev.airlock.shared.PackageName;
import java.util.List;

/** The org-wide action "require 2FA and staging": the change it makes and the preview shown before it is confirmed. */
public final class OrgWide {
    /** The one org policy change: members need 2FA, packages need staging (other fields stay as they are). */
    static final Policy CHANGE = new Policy(null, true, null, true, null);

    private OrgWide() {}

    /**
     * What the change would do. {@code membersBlocked}: members without 2FA, who could no longer publish, stage or
     * approve the org's packages until they enable it. {@code packagesGainingStaging}: packages that allow direct
     * publishing now and would require staging. {@code packagesKeepingOverride}: packages whose own policy says
     * "staging not required" — a package's own setting wins over the org's, so they keep allowing direct publishing
     * until a maintainer changes them on their policy page. {@code alreadyInPlace}: nothing would change.
     */
    public record Preview(
            String org,
            boolean require2faNow,
            boolean stagingRequiredNow,
            List<String> membersBlocked,
            List<String> packagesGainingStaging,
            List<String> packagesKeepingOverride,
            boolean alreadyInPlace) {}

    static Preview preview(Tx tx, String org, AdoptionReport report, PolicyService policies) {
        List<String> blocked = report.members().stream()
                .filter(m -> m.twoFactor().equals(AdoptionReport.Member.NONE))
                .map(AdoptionReport.Member::name)
                .toList();
        List<String> gaining = report.packages().stream()
                .filter(p -> !p.stagingRequired() && !p.stagingSetBy().equals("package"))
                .map(AdoptionReport.PackageRow::name)
                .toList();
        List<String> keeping = report.packages().stream()
                .filter(p -> !p.stagingRequired() && p.stagingSetBy().equals("package"))
                .map(AdoptionReport.PackageRow::name)
                .toList();
        Policy own = orgPolicy(tx, org, policies);
        boolean twoFa = Boolean.TRUE.equals(own.require2fa());
        boolean staging = Boolean.TRUE.equals(own.stagingRequired());
        return new Preview(org, twoFa, staging, blocked, gaining, keeping, twoFa && staging);
    }

    private static Policy orgPolicy(Tx tx, String org, PolicyService policies) {
        // the org's own policy is what any of its packages inherits
        return policies.inherited(tx, PackageName.parse("@" + org + "/x"));
    }
}
