-- A fresh re-authentication at the identity provider as the proof of presence for one approval (docs/sso.md,
-- "Presence"). The flow that goes to the provider knows whose confirmation it is and for what (both NULL for a
-- sign-in); a confirmation that passed is kept, by the hash of the secret its browser holds, until it is used
-- once for that operation by that user, or expires.
ALTER TABLE sso_flows ADD COLUMN user_name VARCHAR(214);
ALTER TABLE sso_flows ADD COLUMN purpose VARCHAR(400);

CREATE TABLE sso_presence (
    code_hash          CHAR(64) PRIMARY KEY,
    user_name          VARCHAR(214) NOT NULL REFERENCES users(name),
    purpose            VARCHAR(400) NOT NULL,
    provider           VARCHAR(40) NOT NULL,
    factor             VARCHAR(100) NOT NULL,
    phishing_resistant INTEGER NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT
);
CREATE INDEX sso_presence_expiry ON sso_presence (expires_at);
