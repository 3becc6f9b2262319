package dev.airlock.trust;

import java.util.List;
import java.util.Map;

/**
 * A trust relationship: CI runs whose OIDC ID token carries these claims may exchange it for a short-lived token for
 * one package. {@code permissions}: npm's createPackage (publish) and createStagedPackage (stage). {@code pinned}
 * holds identifiers learnt on first use (GitHub's repository_owner_id, GitLab's namespace_id) and required after.
 */
public record TrustedPublisher(
        String id,
        String pkg,
        String type,
        Map<String, Object> claims,
        List<String> permissions,
        Map<String, String> pinned,
        long createdAt,
        String createdBy) {
    public static final String PUBLISH = "createPackage";
    public static final String STAGE = "createStagedPackage";
}
