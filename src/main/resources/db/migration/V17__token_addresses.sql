-- The addresses each token was used from (docs/audit.md, token.use-new-address): the first request with a token
-- from an address not seen before for that token records one audit event; this table makes it once per pair.
CREATE TABLE token_addresses (
    token_hash CHAR(64) NOT NULL,
    address    VARCHAR(64) NOT NULL,
    first_at   BIGINT NOT NULL,
    PRIMARY KEY (token_hash, address)
);
