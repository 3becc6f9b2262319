-- Trusted publishing (OIDC): one trust relationship per package, single-use ID-token ids, and the CI identity
-- carried by short-lived exchanged tokens.
CREATE TABLE trusted_publishers (
    id          CHAR(36) PRIMARY KEY,
    package     VARCHAR(214) NOT NULL REFERENCES packages(name),
    type        VARCHAR(20) NOT NULL,
    claims_json TEXT NOT NULL,
    permissions_json TEXT NOT NULL,
    pinned_json TEXT,
    created_at  BIGINT NOT NULL,
    created_by  VARCHAR(214) NOT NULL REFERENCES users(name)
);
CREATE UNIQUE INDEX trusted_publishers_package ON trusted_publishers(package);

CREATE TABLE oidc_jti (
    issuer     VARCHAR(500) NOT NULL,
    jti        VARCHAR(512) NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);
