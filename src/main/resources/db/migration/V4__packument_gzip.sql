-- Gzip copies of the materialised packuments, made when a packument is rebuilt: npm always asks for gzip, and
-- compressing a large packument on every read costs far more than serving stored bytes.
ALTER TABLE packuments ADD COLUMN full_gz BYTEA;
ALTER TABLE packuments ADD COLUMN abbreviated_gz BYTEA;
