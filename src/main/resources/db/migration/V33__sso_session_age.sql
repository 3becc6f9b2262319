-- auth.oidc.NAME.maxSessionAge (docs/sso.md, "How long a sign-in lasts"): an account that signed in through a provider
-- with a maximum session age has every credential (console sessions, npm tokens, granular tokens) honoured only until
-- sso_until; signing in through the provider again moves it on. NULL: no limit. sso_lapsed_at: when the periodic
-- re-check recorded the lapse (once per lapse; a new sign-in clears it).
ALTER TABLE users ADD COLUMN sso_until BIGINT;
ALTER TABLE users ADD COLUMN sso_lapsed_at BIGINT;
CREATE INDEX users_sso_until ON users (sso_until);
