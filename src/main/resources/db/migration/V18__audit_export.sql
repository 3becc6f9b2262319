-- Where each audit export sink stands (docs/audit.md, "Export"): the index of the last log entry the sink's collector
-- accepted (-1 before the first) and the tree size of the last checkpoint it accepted (0 before the first). A worker
-- advances the row after each delivery, so a restart resumes there; a delivery cut short is sent again (at least once).
CREATE TABLE audit_export_cursors (
    sink       VARCHAR(100) PRIMARY KEY,
    seq        BIGINT NOT NULL,
    checkpoint BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
