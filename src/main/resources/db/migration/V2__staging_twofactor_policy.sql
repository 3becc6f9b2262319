-- Two-factor authentication (TOTP), staged publishing with approvals, and package/org policies.

-- One TOTP enrolment per user. secret_enc is AES-GCM encrypted with the server key; last_step is the last
-- accepted 30-second step, advanced with a conditional UPDATE so a code is accepted once per account.
CREATE TABLE tfa (
    user_name  VARCHAR(214) PRIMARY KEY REFERENCES users(name),
    mode       VARCHAR(20) NOT NULL,
    pending    INTEGER NOT NULL,
    secret_enc TEXT NOT NULL,
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Recovery codes, stored as SHA-256 hashes; each usable once.
CREATE TABLE tfa_recovery (
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    code_hash CHAR(64) NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_name, code_hash)
);

CREATE TABLE tfa_failures (
    user_name VARCHAR(214) NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX tfa_failures_user ON tfa_failures(user_name, at);

-- A staged upload. Its version row (state 'staged') lives in versions, sharing the one uniqueness index.
-- state: pending | approved | rejected | expired. Kept after a decision as a record (no foreign key to packages:
-- a rejected first upload releases its reserved name).
CREATE TABLE stages (
    id          CHAR(36) PRIMARY KEY,
    package     VARCHAR(214) NOT NULL,
    version     VARCHAR(256) NOT NULL,
    tag         VARCHAR(214) NOT NULL,
    actor       VARCHAR(214) NOT NULL,
    actor_type  VARCHAR(20) NOT NULL,
    token_key   CHAR(64),
    source      TEXT,
    integrity   TEXT NOT NULL,
    shasum      CHAR(40) NOT NULL,
    size        BIGINT NOT NULL,
    approvals_required INTEGER NOT NULL,
    state       VARCHAR(20) NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  VARCHAR(214),
    ci_json     TEXT
);
CREATE INDEX stages_package ON stages(package, state);
CREATE INDEX stages_state ON stages(state, expires_at);

CREATE TABLE stage_approvals (
    stage_id  CHAR(36) NOT NULL REFERENCES stages(id),
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    factor    VARCHAR(20) NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (stage_id, user_name)
);

-- Policies per subject: 'package:<name>' or 'org:<org>'. NULL means "not set here" (inherit / default).
CREATE TABLE policies (
    subject          VARCHAR(230) PRIMARY KEY,
    mfa              VARCHAR(20),
    staging_required INTEGER,
    approvals        INTEGER,
    require_2fa      INTEGER,
    updated_at       BIGINT NOT NULL,
    updated_by       VARCHAR(214) NOT NULL
);
