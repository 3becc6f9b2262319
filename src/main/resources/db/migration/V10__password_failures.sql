-- Wrong passwords, for throttling guesses: per account and source address, and per account overall.
-- Rows older than the throttling window are purged.
CREATE TABLE password_failures (
    user_name VARCHAR(214) NOT NULL,
    source    VARCHAR(64) NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX password_failures_user ON password_failures(user_name, at);
CREATE INDEX password_failures_at ON password_failures(at);
