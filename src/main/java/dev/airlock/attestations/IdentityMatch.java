package dev.airlock.attestations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;

/**
 * Is the build the certificate names the pipeline that uploaded? For a trusted-publishing upload the token carries
 * the CI identity of the exchange (issuer, repository, workflow, ref): each must agree with the certificate. Uploads
 * with a user's or an automation token carry no CI identity; only the policy's repository rule applies to them.
 */
final class IdentityMatch {
    private IdentityMatch() {}

    static void requireUploader(Actor actor, ProvenanceVerifier.Identity cert) {
        if (!actor.trustedPublishing() || actor.scope() == null || actor.scope().ciIdentity() == null) {
            return;
        }
        JsonNode ci = Json.parse(actor.scope().ciIdentity());
        String issuer = ci.path("issuer").asText(null);
        if (issuer != null && cert.issuer() != null && !issuer.equals(cert.issuer())) {
            throw mismatch("its certificate was issued for tokens of " + cert.issuer() + ", not " + issuer);
        }
        String repository = ci.path("repository").asText(null);
        if (repository != null
                && (cert.repository() == null || !cert.repository().endsWith("/" + repository))) {
            throw mismatch("it was built in " + cert.repository() + ", but the upload came from " + repository);
        }
        String workflow = ci.path("workflow").asText(null);
        if (workflow != null && (cert.san() == null || !cert.san().endsWith("/" + workflow))) {
            throw mismatch("it was signed by workflow " + cert.san() + ", but the upload came from " + workflow);
        }
        String ref = ci.path("ref").asText(null);
        if (ref != null && cert.ref() != null && !ref.equals(cert.ref())) {
            throw mismatch("it was built from " + cert.ref() + ", but the upload came from " + ref);
        }
    }

    /** {@code github.com/acme/widget} exactly, or {@code github.com/acme/*} for any repository of the owner. */
    static boolean repositoryMatches(String required, String repository) {
        if (repository == null) {
            return false;
        }
        if (required.endsWith("/*")) {
            String owner = required.substring(0, required.length() - 1);
            return repository.startsWith(owner) && repository.indexOf('/', owner.length()) < 0;
        }
        return required.equalsIgnoreCase(repository);
    }

    private static dev.airlock.shared.AirlockException mismatch(String reason) {
        return ProvenanceVerifier.refuse("the provenance does not match the trusted publisher: " + reason);
    }
}
