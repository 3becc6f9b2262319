-- npm's web OTP confirmed with a fresh re-authentication at the identity provider (docs/sso.md, "Presence"): the code
-- handed to npm records which factor the provider reported and whether it is phishing-resistant. NULL factor: the
-- code was confirmed with a security key, as before.
ALTER TABLE key_codes ADD COLUMN factor VARCHAR(100);
ALTER TABLE key_codes ADD COLUMN phishing_resistant INTEGER;
