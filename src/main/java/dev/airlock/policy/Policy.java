package dev.airlock.policy;

/**
 * Policy settings of one subject (a package or an org). A null field is "not set here": the package inherits the
 * org's value, and the default applies when neither sets it.
 */
public record Policy(
        String mfa,
        Boolean stagingRequired,
        Integer approvals,
        Boolean require2fa,
        Boolean securityKeyApproval,
        String requireProvenance) {
    public static final String MFA_NONE = "none";
    public static final String MFA_PUBLISH = "publish";
    public static final String MFA_AUTOMATION = "automation";
    /** The JSON field names, in the order they are documented. */
    public static final java.util.List<String> FIELDS = java.util.List.of(
            "mfa", "stagingRequired", "approvals", "require2fa", "securityKeyApproval", "requireProvenance");
    /** {@code requireProvenance} value that switches an inherited requirement off for one package. */
    public static final String PROVENANCE_NONE = "none";

    public static final Policy EMPTY = new Policy(null, null, null, null, null, null);

    /** A policy that does not set {@code requireProvenance}. */
    public Policy(
            String mfa, Boolean stagingRequired, Integer approvals, Boolean require2fa, Boolean securityKeyApproval) {
        this(mfa, stagingRequired, approvals, require2fa, securityKeyApproval, null);
    }

    public Policy {
        if (mfa != null && !mfa.equals(MFA_NONE) && !mfa.equals(MFA_PUBLISH) && !mfa.equals(MFA_AUTOMATION)) {
            throw dev.airlock.shared.AirlockException.badRequest("mfa must be none, publish or automation.");
        }
        if (approvals != null && (approvals < 1 || approvals > 10)) {
            throw dev.airlock.shared.AirlockException.badRequest("approvals must be between 1 and 10.");
        }
        if (requireProvenance != null
                && !requireProvenance.equals(PROVENANCE_NONE)
                && !requireProvenance.matches(
                        "[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+){1,2}|[A-Za-z0-9.-]+/[A-Za-z0-9._-]+/\\*")) {
            throw dev.airlock.shared.AirlockException.badRequest("requireProvenance must be a repository such as"
                    + " github.com/acme/widget (or github.com/acme/* for every repository of an owner), or none.");
        }
    }

    /** This policy with the fields set in {@code change} replaced. */
    public Policy with(Policy change) {
        return new Policy(
                change.mfa != null ? change.mfa : mfa,
                change.stagingRequired != null ? change.stagingRequired : stagingRequired,
                change.approvals != null ? change.approvals : approvals,
                change.require2fa != null ? change.require2fa : require2fa,
                change.securityKeyApproval != null ? change.securityKeyApproval : securityKeyApproval,
                change.requireProvenance != null ? change.requireProvenance : requireProvenance);
    }

    /** A policy change from JSON; unknown fields are an error so typos never pass silently. */
    public static Policy fromJson(com.fasterxml.jackson.databind.JsonNode body) {
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw dev.airlock.shared.AirlockException.badRequest(
                        "Unknown policy field \"" + f + "\"; use " + String.join(", ", FIELDS) + ".");
            }
        });
        String mfa = body.hasNonNull("mfa") ? body.get("mfa").asText() : null;
        Boolean staging = bool(body, "stagingRequired");
        Integer approvals = null;
        if (body.hasNonNull("approvals")) {
            if (!body.get("approvals").canConvertToInt()) {
                throw dev.airlock.shared.AirlockException.badRequest("approvals must be a whole number.");
            }
            approvals = body.get("approvals").asInt();
        }
        String provenance = body.hasNonNull("requireProvenance")
                ? body.get("requireProvenance").asText()
                : null;
        return new Policy(
                mfa, staging, approvals, bool(body, "require2fa"), bool(body, "securityKeyApproval"), provenance);
    }

    private static Boolean bool(com.fasterxml.jackson.databind.JsonNode body, String field) {
        if (!body.hasNonNull(field)) {
            return null;
        }
        if (!body.get(field).isBoolean()) {
            throw dev.airlock.shared.AirlockException.badRequest(field + " must be true or false.");
        }
        return body.get(field).asBoolean();
    }
}
