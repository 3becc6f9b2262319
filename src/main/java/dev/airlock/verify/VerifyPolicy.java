package dev.airlock.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The consumer's own policy (a JSON file, docs/verification.md): rules per package pattern requiring approvals
 * (how many people, with which factor) and provenance (from which repository), and the patterns of packages allowed
 * to carry no approval attestation at all. A pattern's {@code *} matches any characters, {@code /} included.
 */
final class VerifyPolicy {
    record Rule(String packages, Integer minApprovals, String factor, String repository) {}

    private static final Set<String> FACTORS = Set.of("security-key", "totp");

    final List<Rule> rules;
    final List<String> allowUnattested;

    private VerifyPolicy(List<Rule> rules, List<String> allowUnattested) {
        this.rules = rules;
        this.allowUnattested = allowUnattested;
    }

    static VerifyPolicy none() {
        return new VerifyPolicy(List.of(), List.of());
    }

    static VerifyPolicy read(Path file, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the policy " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the policy " + file + " is not a JSON object");
        }
        only(root, "policy", "rules", "allowUnattested");
        List<String> unattested = new ArrayList<>();
        for (JsonNode p : root.path("allowUnattested")) {
            unattested.add(text(p, "allowUnattested"));
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : root.path("rules")) {
            only(r, "rule", "packages", "approvals", "provenance");
            String packages = text(r.path("packages"), "rule.packages");
            Integer min = null;
            String factor = null;
            String repository = null;
            if (r.has("approvals")) {
                JsonNode a = r.get("approvals");
                only(a, "approvals", "min", "factor");
                if (a.has("factor")) {
                    factor = text(a.get("factor"), "approvals.factor");
                    if (!FACTORS.contains(factor)) {
                        throw new IllegalArgumentException(
                                "approvals.factor must be security-key or totp, not " + factor);
                    }
                }
                min = a.has("min") ? a.get("min").asInt(-1) : 1;
                if (min < 1 || (a.has("min") && !a.get("min").isInt())) {
                    throw new IllegalArgumentException("approvals.min must be a whole number of at least 1");
                }
            }
            if (r.has("provenance")) {
                only(r.get("provenance"), "provenance", "repository");
                repository = text(r.get("provenance").path("repository"), "provenance.repository");
            }
            rules.add(new Rule(packages, min, factor, repository));
        }
        return new VerifyPolicy(rules, unattested);
    }

    private static void only(JsonNode node, String what, String... allowed) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("the policy's " + what + " must be a JSON object");
        }
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new IllegalArgumentException("unknown field \"" + f + "\" in the policy's " + what);
            }
        }
    }

    private static String text(JsonNode node, String what) {
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw new IllegalArgumentException("the policy's " + what + " must be a non-empty string");
        }
        return node.asText();
    }

    static boolean matches(String glob, String value) {
        StringBuilder re = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (re.length() > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
    }

    boolean unattestedAllowed(String name) {
        return allowUnattested.stream().anyMatch(g -> matches(g, name));
    }

    /**
     * The policy's verdict for one package: {@code approval} is the verified approval predicate (null when there is
     * no verified approval attestation), {@code repository} the verified provenance's source repository ("" when it
     * names none, null when there is no verified provenance).
     */
    Report.Check evaluate(String name, JsonNode approval, String repository) {
        Set<String> problems = new LinkedHashSet<>();
        boolean any = false;
        for (Rule rule : rules) {
            if (!matches(rule.packages(), name)) {
                continue;
            }
            any = true;
            if (rule.minApprovals() != null) {
                String need = "needs " + rule.minApprovals() + " approval(s)"
                        + (rule.factor() == null ? "" : " with " + rule.factor());
                if (approval == null) {
                    problems.add(need + ", has no verified approval attestation");
                } else {
                    Set<String> counted = new LinkedHashSet<>();
                    List<String> given = new ArrayList<>();
                    for (JsonNode a : approval.path("approvals")) {
                        String user = a.path("user").asText("");
                        String factor = a.path("factor").asText("");
                        given.add(user + " " + factor);
                        if (rule.factor() == null || rule.factor().equals(factor)) {
                            counted.add(user);
                        }
                    }
                    if (counted.size() < rule.minApprovals()) {
                        String desc = approval.path("direct").asBoolean(false)
                                ? "published directly"
                                : given.isEmpty() ? "none" : String.join(", ", given);
                        problems.add(need + ", has " + counted.size() + " (" + desc + ")");
                    }
                }
            }
            if (rule.repository() != null) {
                if (repository == null) {
                    problems.add("no verified provenance (required from " + rule.repository() + ")");
                } else if (repository.isEmpty()) {
                    problems.add("the provenance names no source repository (required: " + rule.repository() + ")");
                } else if (!matches(rule.repository(), repository)) {
                    problems.add("built from " + repository + ", not " + rule.repository());
                }
            }
        }
        if (!any) {
            return Report.Check.NA;
        }
        return problems.isEmpty() ? Report.Check.OK : Report.Check.fail(String.join("; ", problems));
    }
}
