-- Where and from what an `npm login` request came (address as the registry saw it, the client's User-Agent), so the
-- login page can show it and a user can tell an attacker's login link from their own.
ALTER TABLE web_logins ADD COLUMN source TEXT;
ALTER TABLE web_logins ADD COLUMN user_agent TEXT;
