-- Registry signing keys (docs/verification.md): the public half of every ECDSA P-256 key that ever signed a version,
-- so every node serves the same /-/npm/v1/keys. The current key has no expiry; a rotation sets the old key's
-- expires_at, and its signatures stay valid for versions published before then. The private key is a file.
CREATE TABLE signing_keys (
    keyid      VARCHAR(100) PRIMARY KEY,
    spki       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);

-- Registry signatures made for proxied versions the upstream left unsigned (or signed with a key it does not serve),
-- remembered so a refreshed packument re-signs only the versions that are new. Keyed by the integrity signed.
CREATE TABLE proxy_signatures (
    package   VARCHAR(214) NOT NULL,
    version   VARCHAR(256) NOT NULL,
    integrity VARCHAR(200) NOT NULL,
    keyid     VARCHAR(100) NOT NULL,
    sig       VARCHAR(200) NOT NULL,
    PRIMARY KEY (package, version, integrity)
);

-- The public keys of each upstream registry (its /-/npm/v1/keys, npm's shape, as JSON text), whose signatures proxied
-- versions keep and which /-/npm/v1/keys serves after the registry's own. fetched_at: when they were last fetched
-- (refreshed daily, or sooner when a packument names a key they lack); an upstream without keys has "[]".
CREATE TABLE upstream_keys (
    upstream   VARCHAR(2048) PRIMARY KEY,
    keys_json  TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);
