-- The upstream proxy's cache (docs/proxy.md). A packument fetched from the upstream registry for a name that does not
-- exist here: the upstream's bytes and validators (ETag, Last-Modified) for revalidation, and the copies served
-- (tarball URLs rewritten to this registry's public URL `base`, full and abbreviated, each with a gzip copy and ETag).
CREATE TABLE proxy_packuments (
    name                   VARCHAR(214) PRIMARY KEY,
    upstream_json          TEXT NOT NULL,
    upstream_etag          VARCHAR(1000),
    upstream_last_modified VARCHAR(100),
    fetched_at             BIGINT NOT NULL,
    base                   VARCHAR(2000) NOT NULL,
    full_json              TEXT NOT NULL,
    full_gz                BYTEA NOT NULL,
    full_etag              VARCHAR(80) NOT NULL,
    abbreviated_json       TEXT NOT NULL,
    abbreviated_gz         BYTEA NOT NULL,
    abbreviated_etag       VARCHAR(80) NOT NULL
);

-- Upstream tarballs, stored in the blob store only after their bytes matched the packument's integrity/shasum.
CREATE TABLE proxy_tarballs (
    name       VARCHAR(214) NOT NULL,
    version    VARCHAR(256) NOT NULL,
    blob       VARCHAR(128) NOT NULL,
    size       BIGINT NOT NULL,
    integrity  TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);
