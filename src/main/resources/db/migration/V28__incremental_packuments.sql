-- Incremental packuments (docs/adr/0017-incremental-packuments.md): instead of one row holding both whole documents
-- (rewritten in full on every change, so a publish cost grew with the package's history), each published version
-- keeps its rendered fragments and each package a small head; the documents are assembled on read and kept in
-- memory. The server re-renders every package once at start (the stored format changed), so the old table goes.
DROP TABLE packuments;

CREATE TABLE packument_heads (
    package      VARCHAR(214) PRIMARY KEY REFERENCES packages(name),
    head_json    TEXT NOT NULL,
    rev          VARCHAR(80) NOT NULL,
    latest       VARCHAR(256),
    modified_at  BIGINT NOT NULL,
    search_text  TEXT NOT NULL
);

CREATE TABLE packument_versions (
    package    VARCHAR(214) NOT NULL REFERENCES packages(name),
    version    VARCHAR(256) NOT NULL,
    full_json  TEXT NOT NULL,
    corgi_json TEXT NOT NULL,
    PRIMARY KEY (package, version)
);
