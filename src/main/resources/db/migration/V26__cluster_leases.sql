-- Leases (docs/deployment.md, "What each node keeps"): which node runs a background job or drains a queue when several
-- nodes share one database. A lease is taken with one conditional UPDATE (only when it is free, expired, or already
-- this node's), so two nodes never hold it at once; a node that dies leaves it to expire. Times are epoch ms.
CREATE TABLE leases (
    name       VARCHAR(200) PRIMARY KEY,
    holder     VARCHAR(200) NOT NULL,
    expires_at BIGINT NOT NULL
);
