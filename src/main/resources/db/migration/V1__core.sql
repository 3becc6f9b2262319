-- Airlock core schema. SQL shared by SQLite and PostgreSQL; epoch-millisecond BIGINT timestamps; JSON as TEXT;
-- booleans as INTEGER 0/1.

CREATE TABLE settings (
    key   VARCHAR(100) PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    name          VARCHAR(214) PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    fullname      TEXT,
    homepage      TEXT,
    freenode      TEXT,
    twitter       TEXT,
    github        TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Every bearer credential. Only the SHA-256 of the secret is stored (token_hash); "key" is what npm token list shows.
CREATE TABLE tokens (
    token_hash     CHAR(64) PRIMARY KEY,
    user_name      VARCHAR(214) NOT NULL REFERENCES users(name),
    kind           VARCHAR(20) NOT NULL,
    display        VARCHAR(20) NOT NULL,
    name           TEXT,
    description    TEXT,
    readonly       INTEGER NOT NULL DEFAULT 0,
    cidr_json      TEXT,
    restrictions_json TEXT,
    bypass_2fa     INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    expires_at     BIGINT,
    last_used_at   BIGINT,
    last_used_from TEXT,
    revoked_at     BIGINT
);
CREATE INDEX tokens_user ON tokens(user_name);

CREATE TABLE orgs (
    name       VARCHAR(214) PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE org_members (
    org       VARCHAR(214) NOT NULL REFERENCES orgs(name),
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    role      VARCHAR(20) NOT NULL,
    PRIMARY KEY (org, user_name)
);
CREATE INDEX org_members_user ON org_members(user_name);

CREATE TABLE teams (
    org         VARCHAR(214) NOT NULL REFERENCES orgs(name),
    name        VARCHAR(214) NOT NULL,
    description TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org, name)
);

CREATE TABLE team_members (
    org       VARCHAR(214) NOT NULL,
    team      VARCHAR(214) NOT NULL,
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    PRIMARY KEY (org, team, user_name),
    FOREIGN KEY (org, team) REFERENCES teams(org, name)
);
CREATE INDEX team_members_user ON team_members(user_name);

-- state: active | unpublished. A package row is never deleted: names and version numbers are never reused.
CREATE TABLE packages (
    name        VARCHAR(214) PRIMARY KEY,
    scope       VARCHAR(214),
    access      VARCHAR(20) NOT NULL,
    state       VARCHAR(20) NOT NULL,
    rev_seq     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    modified_at BIGINT NOT NULL
);
CREATE INDEX packages_scope ON packages(scope);

CREATE TABLE maintainers (
    package   VARCHAR(214) NOT NULL REFERENCES packages(name),
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (package, user_name)
);
CREATE INDEX maintainers_user ON maintainers(user_name);

CREATE TABLE team_packages (
    org        VARCHAR(214) NOT NULL,
    team       VARCHAR(214) NOT NULL,
    package    VARCHAR(214) NOT NULL REFERENCES packages(name),
    permission VARCHAR(10) NOT NULL,
    PRIMARY KEY (org, team, package),
    FOREIGN KEY (org, team) REFERENCES teams(org, name)
);
CREATE INDEX team_packages_package ON team_packages(package);

-- One uniqueness index for every state (staged | published | rejected | unpublished): a version number is used once.
CREATE TABLE versions (
    package      VARCHAR(214) NOT NULL REFERENCES packages(name),
    version      VARCHAR(256) NOT NULL,
    state        VARCHAR(20) NOT NULL,
    manifest_json TEXT NOT NULL,
    readme       TEXT,
    integrity    TEXT NOT NULL,
    shasum       CHAR(40) NOT NULL,
    tarball_blob CHAR(128),
    tarball_size BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    published_at BIGINT,
    published_by VARCHAR(214),
    deprecated   TEXT,
    PRIMARY KEY (package, version)
);
CREATE INDEX versions_blob ON versions(tarball_blob);

CREATE TABLE dist_tags (
    package VARCHAR(214) NOT NULL REFERENCES packages(name),
    tag     VARCHAR(214) NOT NULL,
    version VARCHAR(256) NOT NULL,
    PRIMARY KEY (package, tag)
);

-- Materialised documents, rewritten in the same transaction as any change: a read is one row.
CREATE TABLE packuments (
    package          VARCHAR(214) PRIMARY KEY REFERENCES packages(name),
    full_json        TEXT NOT NULL,
    abbreviated_json TEXT NOT NULL,
    full_etag        VARCHAR(80) NOT NULL,
    abbreviated_etag VARCHAR(80) NOT NULL,
    rev              VARCHAR(80) NOT NULL,
    modified_at      BIGINT NOT NULL,
    search_text      TEXT NOT NULL
);

-- Append-only, hash-chained: hash = sha256(prev_hash | canonical fields).
CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      VARCHAR(60) NOT NULL,
    target      TEXT NOT NULL,
    source      TEXT,
    detail_json TEXT,
    prev_hash   CHAR(64) NOT NULL,
    hash        CHAR(64) NOT NULL
);
CREATE INDEX audit_events_target ON audit_events(target);
