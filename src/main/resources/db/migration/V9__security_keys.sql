-- WebAuthn security keys and passkeys (Yubico java-webauthn-server verifies; these rows are what it needs).
-- credential_id, user_handle and public_key_cose are base64url. user_handle is random per user, never the name.
CREATE TABLE security_keys (
    credential_id   VARCHAR(1400) PRIMARY KEY,
    user_name       VARCHAR(214) NOT NULL,
    user_handle     VARCHAR(100) NOT NULL,
    public_key_cose TEXT NOT NULL,
    signature_count BIGINT NOT NULL,
    nickname        VARCHAR(100) NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT
);
CREATE INDEX security_keys_user ON security_keys (user_name);
CREATE INDEX security_keys_handle ON security_keys (user_handle);

-- A registration or assertion under way: the request the browser was given, single-use, short-lived.
-- purpose binds an assertion to what it authorises (sign-in, one staged version and its digest, one form).
CREATE TABLE webauthn_ceremonies (
    id_hash      CHAR(64) PRIMARY KEY,
    user_name    VARCHAR(214) NOT NULL,
    kind         VARCHAR(16) NOT NULL,
    purpose      VARCHAR(600) NOT NULL,
    request_json TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- A second factor given with a security key in the browser, turned into a single-use short-lived code.
-- For npm's web OTP (authUrl/doneUrl): auth_id is in the URL the user opens, done_hash is the hash of the id in the
-- URL only the CLI knows; token_key is the credential whose request was challenged (the poll must present it);
-- operation is what the code may be used for. code_sealed holds the code until the CLI's poll collects it once.
CREATE TABLE key_codes (
    auth_id     VARCHAR(64) PRIMARY KEY,
    done_hash   CHAR(64) NOT NULL UNIQUE,
    user_name   VARCHAR(214) NOT NULL,
    token_key   VARCHAR(100),
    operation   VARCHAR(600),
    source      VARCHAR(100),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    code_hash   CHAR(64) UNIQUE,
    code_sealed TEXT,
    used_at     BIGINT
);
