-- Web console sessions. Only the SHA-256 of the cookie value is stored; csrf is the per-session form token.
CREATE TABLE console_sessions (
    id_hash    CHAR(64) PRIMARY KEY,
    user_name  VARCHAR(214) NOT NULL REFERENCES users(name),
    csrf       VARCHAR(64) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions(user_name);
