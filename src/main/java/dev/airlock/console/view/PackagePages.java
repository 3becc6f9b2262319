package dev.airlock.console.view;

import java.util.List;

/** Models of a package's page (versions and how each was authorised) and of its policy page. */
public final class PackagePages {
    private PackagePages() {}

    public record Version(String version, String how) {}

    public record Page(String name, String description, String policyHref, List<Version> versions) {}

    /** One row of the policy table: what the package sets, what its org sets, what applies and why. */
    public record Setting(String field, String label, String own, String inherited, String value, String source) {}

    /** The change form's current values (the effective ones); null when the user may not change the policy. */
    public record Form(
            String action,
            String mfa,
            List<String> mfaChoices,
            boolean stagingRequired,
            String approvals,
            boolean securityKeyApproval,
            KeyButton key) {}

    public record Policy(String name, String packageHref, String org, String done, List<Setting> settings, Form form) {}
}
