-- The audit log as an RFC 9162 Merkle tree (docs/audit.md). A writer inserts one row in the transaction of the change
-- it records: the entry (canonical JSON; its UTF-8 bytes are the leaf) and the columns queries filter on. The
-- sequencer later gives pending rows their index (seq) and leaf hash, in (at, id) order, and stores the hashes of the
-- complete subtrees they close in audit_tree (level >= 1; level 0 is audit_log.leaf_hash). audit_head holds the
-- number of sequenced entries; the sequencer updates it first, which makes it the only lock writers never wait for.
-- The former hash chain (audit_events) is converted into entries on first start and then left empty.
CREATE TABLE audit_log (
    id        VARCHAR(40) PRIMARY KEY,
    seq       BIGINT UNIQUE,
    at        BIGINT NOT NULL,
    action    VARCHAR(60) NOT NULL,
    outcome   VARCHAR(10) NOT NULL,
    actor     TEXT,
    target    TEXT NOT NULL,
    entry     TEXT NOT NULL,
    leaf_hash CHAR(64)
);
CREATE INDEX audit_log_pending ON audit_log(at, id) WHERE seq IS NULL;
CREATE INDEX audit_log_target ON audit_log(target, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE audit_tree (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  CHAR(64) NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    size BIGINT NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    root CHAR(64) NOT NULL,
    note TEXT NOT NULL,
    at   BIGINT NOT NULL
);
