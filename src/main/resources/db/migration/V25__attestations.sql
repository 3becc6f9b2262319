-- Attestations served at /-/npm/v1/attestations/{name}@{version}: one row per version and predicate type, holding the
-- Sigstore bundle (or DSSE bundle) JSON as text. Written in the publish / stage transaction; served only while the
-- version is visible (docs/verification.md, "Provenance").
CREATE TABLE attestations (
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    predicate_type TEXT NOT NULL,
    bundle TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (package, version, predicate_type)
);

-- Policy "require provenance from this repository" (e.g. github.com/acme/widget); NULL = not set here.
ALTER TABLE policies ADD COLUMN require_provenance TEXT;
