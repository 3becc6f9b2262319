-- Policy "approval requires a security key": approving a staged version needs a WebAuthn assertion (NULL = not set here).
ALTER TABLE policies ADD COLUMN security_key_approval INTEGER;
