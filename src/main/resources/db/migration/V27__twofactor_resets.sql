-- Admin-assisted second-factor resets (docs/recovery.md). An operator asks for one with a reason; it takes effect at
-- effective_at unless the user or an owner of one of the user's orgs cancels it first. state: pending, cancelled,
-- applied. While a reset is pending the account cannot approve, create tokens or change policies. Times are epoch ms.
CREATE TABLE twofactor_resets (
    id           VARCHAR(36) PRIMARY KEY,
    user_name    VARCHAR(214) NOT NULL REFERENCES users(name),
    reason       TEXT NOT NULL,
    requested_by VARCHAR(214) NOT NULL,
    requested_at BIGINT NOT NULL,
    effective_at BIGINT NOT NULL,
    state        VARCHAR(16) NOT NULL,
    decided_at   BIGINT,
    decided_by   VARCHAR(214)
);
CREATE INDEX twofactor_resets_user ON twofactor_resets(user_name, state);
CREATE INDEX twofactor_resets_due ON twofactor_resets(state, effective_at);
