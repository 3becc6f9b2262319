-- The local advisory store (docs/advisories.md): security advisories imported from OSV files
-- (`./airlock advisories import DIR`), answering npm audit's bulk requests offline and for local packages.
CREATE TABLE advisories (
    id          VARCHAR(100) PRIMARY KEY,   -- GHSA-xvch-5gv4-984h
    number      BIGINT NOT NULL,            -- the numeric id npm's answers carry, derived from id
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    severity    VARCHAR(10) NOT NULL,       -- low, moderate, high, critical
    cwe         TEXT NOT NULL,              -- JSON array of CWE ids
    cvss_score  DOUBLE PRECISION NOT NULL,
    cvss_vector TEXT,
    aliases     TEXT NOT NULL,              -- JSON array (CVE ids)
    published   VARCHAR(40),
    modified    VARCHAR(40),
    imported_at BIGINT NOT NULL
);

-- The npm packages an advisory affects and their vulnerable versions, a node-semver range (">=1.0.0 <1.2.6 || <0.2.4").
CREATE TABLE advisory_packages (
    advisory_id         VARCHAR(100) NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    name                VARCHAR(214) NOT NULL,
    vulnerable_versions TEXT NOT NULL,
    PRIMARY KEY (advisory_id, name)
);
CREATE INDEX advisory_packages_name ON advisory_packages (name);
