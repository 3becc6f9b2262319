-- The proxy's cache row with its small, hot columns first (docs/adr/0009-one-statement-per-warm-read.md).
-- SQLite stores a row's columns in order, and a large value spills into a chain of overflow pages: to read a column
-- that comes after the served documents, SQLite walks that whole chain. The columns added by later migrations
-- (hidden, recompute_at, upstream, upstream_gz) sat after every document, so each warm read of a proxied packument
-- or tarball walked the overflow pages of all of them (thousands of pages for a package like @types/node).
-- Same columns, same data; ordered by how often a read needs them: freshness and routing, then the variants npm asks
-- for most (abbreviated, gzip), the full document, and the upstream's copy, read only to rebuild.
CREATE TABLE proxy_packuments_v23 (
    name                   VARCHAR(214) PRIMARY KEY,
    upstream               VARCHAR(2000),
    fetched_at             BIGINT NOT NULL,
    base                   VARCHAR(2000) NOT NULL,
    recompute_at           BIGINT,
    upstream_etag          VARCHAR(1000),
    upstream_last_modified VARCHAR(100),
    full_etag              VARCHAR(80) NOT NULL,
    abbreviated_etag       VARCHAR(80) NOT NULL,
    hidden                 TEXT,
    abbreviated_gz         BYTEA NOT NULL,
    abbreviated_json       TEXT NOT NULL,
    full_gz                BYTEA NOT NULL,
    full_json              TEXT NOT NULL,
    upstream_gz            BYTEA,
    upstream_json          TEXT NOT NULL
);

INSERT INTO proxy_packuments_v23 (name, upstream, fetched_at, base, recompute_at, upstream_etag,
        upstream_last_modified, full_etag, abbreviated_etag, hidden, abbreviated_gz, abbreviated_json, full_gz,
        full_json, upstream_gz, upstream_json)
    SELECT name, upstream, fetched_at, base, recompute_at, upstream_etag, upstream_last_modified, full_etag,
        abbreviated_etag, hidden, abbreviated_gz, abbreviated_json, full_gz, full_json, upstream_gz, upstream_json
    FROM proxy_packuments;

DROP TABLE proxy_packuments;

ALTER TABLE proxy_packuments_v23 RENAME TO proxy_packuments;
