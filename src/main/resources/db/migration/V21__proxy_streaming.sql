-- The upstream proxy without whole documents in memory (docs/proxy.md).
-- The upstream's packument is kept gzip-compressed (as the upstream sent it when it speaks gzip): rows written from
-- now on have it in `upstream_gz` and an empty `upstream_json`; older rows keep `upstream_json` (and null here).
ALTER TABLE proxy_packuments ADD COLUMN upstream_gz BYTEA;

-- Each version's `dist` from the upstream packument, written with it: a tarball fetch reads one row instead of the
-- whole document. Null columns when the upstream's version has no such field.
CREATE TABLE proxy_dists (
    name      VARCHAR(214) NOT NULL,
    version   VARCHAR(256) NOT NULL,
    integrity TEXT,
    shasum    VARCHAR(100),
    tarball   TEXT,
    PRIMARY KEY (name, version)
);
