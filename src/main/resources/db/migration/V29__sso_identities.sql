-- OpenID Connect single sign-on (docs/sso.md). A person who signs in through an identity provider is linked to an
-- account by the provider's issuer and subject, never by e-mail or name: one row per link, made when the account
-- is created on first sign-in.
CREATE TABLE sso_identities (
    issuer        VARCHAR(500) NOT NULL,
    subject       VARCHAR(255) NOT NULL,
    user_name     VARCHAR(214) NOT NULL REFERENCES users(name),
    provider      VARCHAR(40) NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_name);

-- A sign-in on its way through the identity provider, keyed by the hash of its state. Any node may receive the
-- callback. nonce and the browser binding are kept as hashes; the PKCE verifier must be sent at the callback, so
-- it is kept encrypted. A row is deleted when it is used (once) and is worthless after expires_at.
CREATE TABLE sso_flows (
    state_hash      CHAR(64) PRIMARY KEY,
    provider        VARCHAR(40) NOT NULL,
    nonce_hash      CHAR(64) NOT NULL,
    browser_hash    CHAR(64) NOT NULL,
    verifier_sealed TEXT NOT NULL,
    next_page       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sso_flows_expiry ON sso_flows (expires_at);
