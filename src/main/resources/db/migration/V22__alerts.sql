-- Alerts (docs/audit.md, "Alerts"): one row per rule and case (a staged version, an event, a kind of failure). A row is
-- inserted with ON CONFLICT DO NOTHING and changed with conditional updates, so each case fires once (and escalates and
-- resolves once) however many nodes evaluate the rules.
CREATE TABLE alerts (
    id          VARCHAR(36) PRIMARY KEY,
    rule        VARCHAR(40) NOT NULL,
    case_key    VARCHAR(400) NOT NULL,
    target      VARCHAR(300) NOT NULL,
    level       VARCHAR(20) NOT NULL,
    state       VARCHAR(10) NOT NULL,
    fired_at    BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by VARCHAR(100),
    detail      TEXT NOT NULL,
    UNIQUE (rule, case_key)
);
CREATE INDEX alerts_state ON alerts(state, rule);

-- Where the event-based rules stand in the audit log: the index (seq) of the last entry they read. An installation
-- that already has a log starts at its end, so upgrading does not raise alerts about the past.
CREATE TABLE alert_cursor (
    name       VARCHAR(40) PRIMARY KEY,
    seq        BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO alert_cursor (name, seq, updated_at) SELECT 'events', COALESCE(MAX(seq), -1), 0 FROM audit_log;

-- The credentials and CI identities that have staged or published each package (the "new publisher" rule).
CREATE TABLE alert_publishers (
    package    VARCHAR(214) NOT NULL,
    identity   VARCHAR(400) NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (package, identity)
);

-- The stage-waiting rule asks for pending stages created before a time, once per evaluation.
CREATE INDEX stages_pending_created ON stages(state, created_at);
