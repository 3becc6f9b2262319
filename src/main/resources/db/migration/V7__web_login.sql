-- npm's web login (POST /-/v1/login, then polling doneUrl): one row per pending login, keyed by the hash of the
-- secret in its URLs. token_sealed holds the issued npm token (encrypted) until the CLI's poll collects it once.
CREATE TABLE web_logins (
    id_hash      CHAR(64) PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_name    VARCHAR(214),
    token_sealed TEXT
);
