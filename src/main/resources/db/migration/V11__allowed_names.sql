-- Names npm accepts only for packages that already exist (Node.js core module names, capitals, ~'!()*) that an
-- administrator allowed to be published as new packages here (./airlock names allow NAME). Audited.
CREATE TABLE allowed_names (
    name       VARCHAR(214) PRIMARY KEY,
    allowed_by VARCHAR(214) NOT NULL,
    allowed_at BIGINT NOT NULL
);
