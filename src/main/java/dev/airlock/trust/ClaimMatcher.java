package dev.airlock.trust;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does a verified ID token come from the pipeline a trust relationship names? One method per provider, with the
 * claims npm's trust command stores and the providers' token formats (docs/npm-protocol.md, "Trusted publishing").
 */
final class ClaimMatcher {
    /** The pins learnt or checked, or a failure reason. */
    record Match(boolean ok, String reason, Map<String, String> pins) {
        static Match fail(String reason) {
            return new Match(false, reason, Map.of());
        }
    }

    private ClaimMatcher() {}

    static Match match(TrustedPublisher t, JWTClaimsSet token) {
        try {
            return switch (t.type()) {
                case "github" -> github(t, token);
                case "gitlab" -> gitlab(t, token);
                case "circleci" -> circleci(t, token);
                default -> Match.fail("unknown relationship type " + t.type());
            };
        } catch (ParseException e) {
            return Match.fail("malformed claim: " + e.getMessage());
        }
    }

    private static String str(Map<String, Object> claims, String key) {
        Object v = claims.get(key);
        if (v instanceof Map<?, ?> m) {
            Object file = m.get("file");
            return file == null ? null : file.toString();
        }
        return v == null ? null : v.toString();
    }

    private static Match github(TrustedPublisher t, JWTClaimsSet token) throws ParseException {
        String repository = str(t.claims(), "repository");
        String file = str(t.claims(), "workflow_ref");
        String tokenRepo = token.getStringClaim("repository");
        if (tokenRepo == null || !tokenRepo.toLowerCase(Locale.ROOT).equals(repository.toLowerCase(Locale.ROOT))) {
            return Match.fail("repository " + tokenRepo + " is not " + repository);
        }
        String workflowRef = token.getStringClaim("workflow_ref");
        String prefix = tokenRepo + "/.github/workflows/";
        if (workflowRef == null
                || !workflowRef.startsWith(prefix)
                || workflowRef.indexOf('@') < 0
                || !workflowRef
                        .substring(prefix.length(), workflowRef.indexOf('@'))
                        .equals(file)) {
            return Match.fail("workflow " + workflowRef + " is not " + file);
        }
        Match env = environment(t, token);
        if (!env.ok()) {
            return env;
        }
        return pin(t, "repository_owner_id", token.getStringClaim("repository_owner_id"));
    }

    private static Match gitlab(TrustedPublisher t, JWTClaimsSet token) throws ParseException {
        String project = str(t.claims(), "project_path");
        String file = str(t.claims(), "ci_config_ref_uri");
        String tokenProject = token.getStringClaim("project_path");
        if (tokenProject == null || !tokenProject.equals(project)) {
            return Match.fail("project " + tokenProject + " is not " + project);
        }
        String uri = token.getStringClaim("ci_config_ref_uri");
        int split = uri == null ? -1 : uri.indexOf("//");
        int at = uri == null ? -1 : uri.lastIndexOf('@');
        if (split < 0
                || at < split
                || !uri.substring(0, split).endsWith("/" + project)
                || !uri.substring(split + 2, at).equals(file)) {
            return Match.fail("CI config " + uri + " is not " + project + "//" + file);
        }
        Match env = environment(t, token);
        if (!env.ok()) {
            return env;
        }
        return pin(t, "namespace_id", token.getStringClaim("namespace_id"));
    }

    private static Match circleci(TrustedPublisher t, JWTClaimsSet token) throws ParseException {
        for (String key : List.of(
                "oidc.circleci.com/org-id",
                "oidc.circleci.com/project-id",
                "oidc.circleci.com/pipeline-definition-id",
                "oidc.circleci.com/vcs-origin")) {
            String want = str(t.claims(), key);
            String got = token.getStringClaim(key);
            if (want == null || !want.equals(got)) {
                return Match.fail(key + " " + got + " is not " + want);
            }
        }
        Object contexts = t.claims().get("oidc.circleci.com/context-ids");
        if (contexts instanceof List<?> wanted && !wanted.isEmpty()) {
            List<String> got = token.getStringListClaim("oidc.circleci.com/context-ids");
            if (got == null || !got.containsAll(wanted)) {
                return Match.fail("context ids " + got + " do not include " + wanted);
            }
        }
        return new Match(true, null, t.pinned());
    }

    private static Match environment(TrustedPublisher t, JWTClaimsSet token) throws ParseException {
        String want = str(t.claims(), "environment");
        if (want != null && !want.equals(token.getStringClaim("environment"))) {
            return Match.fail("environment " + token.getStringClaim("environment") + " is not " + want);
        }
        return new Match(true, null, Map.of());
    }

    /** Trust on first use for identifiers npm's trust command cannot send (a recreated repository changes them). */
    private static Match pin(TrustedPublisher t, String claim, String value) {
        if (value == null) {
            return Match.fail("the token has no " + claim);
        }
        String pinned = t.pinned().get(claim);
        if (pinned != null && !pinned.equals(value)) {
            return Match.fail(claim + " " + value + " is not the pinned " + pinned);
        }
        Map<String, String> pins = new LinkedHashMap<>(t.pinned());
        pins.put(claim, value);
        return new Match(true, null, pins);
    }

    /** The pipeline identity recorded with the token, the staged item and the audit event. */
    static Map<String, Object> identity(String type, JWTClaimsSet c) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("provider", type);
        id.put("issuer", c.getIssuer());
        switch (type) {
            case "github" -> {
                put(id, "repository", c, "repository");
                put(id, "workflow", c, "workflow_ref");
                put(id, "ref", c, "ref");
                put(id, "sha", c, "sha");
                put(id, "runId", c, "run_id");
                put(id, "environment", c, "environment");
            }
            case "gitlab" -> {
                put(id, "repository", c, "project_path");
                put(id, "workflow", c, "ci_config_ref_uri");
                put(id, "ref", c, "ref");
                put(id, "sha", c, "sha");
                put(id, "runId", c, "pipeline_id");
                put(id, "environment", c, "environment");
            }
            default -> {
                put(id, "repository", c, "oidc.circleci.com/vcs-origin");
                put(id, "workflow", c, "oidc.circleci.com/pipeline-definition-id");
                put(id, "ref", c, "oidc.circleci.com/vcs-ref");
                put(id, "runId", c, "oidc.circleci.com/pipeline-id");
            }
        }
        return id;
    }

    private static void put(Map<String, Object> out, String key, JWTClaimsSet c, String claim) {
        Object v = c.getClaim(claim);
        if (v != null) {
            out.put(key, v.toString());
        }
    }
}
