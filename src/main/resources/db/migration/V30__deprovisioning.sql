-- Deprovisioning (docs/deprovisioning.md): deactivated accounts, the group mapping's memory, SCIM.

-- When the account was deactivated (./airlock user deactivate, or SCIM active=false); NULL = active. A deactivated
-- account keeps its name, its published versions and its audit history, and can sign in nowhere.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;

-- The groups each source (oidc:<provider>, scim) last said the user is in: the group mapping (auth.groups) is applied
-- to the union of them, so one source's sync never undoes what another source's groups grant.
CREATE TABLE user_groups (
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    source    VARCHAR(200) NOT NULL,
    grp       VARCHAR(512) NOT NULL,
    PRIMARY KEY (user_name, source, grp)
);

-- Memberships the group mapping made (team '' = the org membership itself). Only these are changed or removed by a
-- sync; memberships made by hand with npm org / npm team are never touched.
CREATE TABLE mapped_memberships (
    user_name VARCHAR(214) NOT NULL REFERENCES users(name),
    org       VARCHAR(214) NOT NULL,
    team      VARCHAR(214) NOT NULL,
    PRIMARY KEY (user_name, org, team)
);

-- Bearer tokens of SCIM clients (./airlock scim token create): only the SHA-256 of the secret is stored.
CREATE TABLE scim_tokens (
    token_hash   CHAR(64) PRIMARY KEY,
    id           VARCHAR(16) NOT NULL UNIQUE,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- SCIM resource ids: users (one per account the identity provider manages) and groups with their members.
-- scim_name is the userName the identity provider uses (lower-cased; often an e-mail address), user_name the account
-- it names (an e-mail address's local part).
CREATE TABLE scim_users (
    id          VARCHAR(36) PRIMARY KEY,
    scim_name   VARCHAR(320) NOT NULL UNIQUE,
    user_name   VARCHAR(214) NOT NULL UNIQUE REFERENCES users(name),
    external_id TEXT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE scim_groups (
    id           VARCHAR(36) PRIMARY KEY,
    display_name VARCHAR(512) NOT NULL UNIQUE,
    external_id  TEXT,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE scim_group_members (
    group_id VARCHAR(36) NOT NULL REFERENCES scim_groups(id),
    user_id  VARCHAR(36) NOT NULL REFERENCES scim_users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members(user_id);
