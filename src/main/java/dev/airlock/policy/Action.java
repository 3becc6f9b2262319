package dev.airlock.policy;

/**
 * What an actor asks to do, as the {@link Gate} knows it. Each action names the npm command (or console form) that
 * leads to it; the gate's decision table is written in these terms.
 */
public enum Action {
    /** Packuments, version documents, tarballs, dist-tags, visibility (npm install, npm view). */
    READ(true),
    /** npm publish straight to the registry (no staging). */
    PUBLISH(true),
    /** npm stage publish: the upload waits in quarantine for approval. */
    STAGE(true),
    /** npm stage list / view / download, and the review of a staged version. */
    VIEW_STAGED(false),
    /** npm stage approve. */
    APPROVE(false),
    /** npm stage reject. */
    REJECT(false),
    /** npm dist-tag add / rm. */
    CHANGE_DIST_TAGS(false),
    /** npm deprecate / undeprecate. */
    DEPRECATE(false),
    /** npm unpublish (whole package or some versions: the PUT that drops them). */
    UNPUBLISH(false),
    /** The DELETE of one tarball that npm unpublish sends after its PUT (no factor when nothing is left to change). */
    DELETE_TARBALL(false),
    /** npm owner add / rm. */
    CHANGE_OWNERS(false),
    /** npm access set status=…, npm access grant / revoke. */
    CHANGE_ACCESS(false),
    /** npm access set mfa=…, and Airlock's package policies. */
    CHANGE_POLICY(false),
    /** An org's policies (org owners). */
    CHANGE_ORG_POLICY(false),
    /** npm org set / rm and npm team create / destroy / add / rm (who may, by role, is the orgs feature's rule). */
    CHANGE_ORG(false),
    /** npm profile set of profile fields (email, fullname …); two-factor and password changes have their own checks. */
    CHANGE_PROFILE(false),
    /** npm trust list. */
    VIEW_TRUST(false),
    /** npm trust github|gitlab|circleci|revoke. */
    CHANGE_TRUST(false),
    /** npm token create. */
    CREATE_TOKEN(false),
    /** npm token revoke (and the console's revoke button). */
    REVOKE_TOKEN(false),
    /** Anything else a request may do (profile, orgs, teams, tokens list, whoami …). */
    OTHER(false);

    private final boolean openToTrustedPublishing;

    Action(boolean openToTrustedPublishing) {
        this.openToTrustedPublishing = openToTrustedPublishing;
    }

    /** May a token from a trusted-publishing (OIDC) exchange do this at all? Only read, publish and stage. */
    public boolean openToTrustedPublishing() {
        return openToTrustedPublishing;
    }
}
