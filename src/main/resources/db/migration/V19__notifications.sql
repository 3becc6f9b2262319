-- Notifications (docs/notifications.md): an outbox written in the transaction of the change that causes it, one
-- delivery row per message and destination (a webhook, or one user's mailbox), and the state of each destination.
-- A worker claims a due delivery with a conditional UPDATE on claimed_until, so with several nodes one delivers it.
CREATE TABLE notification_messages (
    id         VARCHAR(40) PRIMARY KEY,
    kind       VARCHAR(60) NOT NULL,
    severity   VARCHAR(10) NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    data       TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- status: pending (waiting or retrying), delivered, failed (gave up after notifications.maxAttempts; retry in the
-- console makes it pending again). channel: webhook (target = the webhook's name) or email (target = a user name);
-- destination: what failures count against (webhook:NAME, or email for the SMTP server).
CREATE TABLE notification_deliveries (
    id              VARCHAR(40) PRIMARY KEY,
    message_id      VARCHAR(40) NOT NULL REFERENCES notification_messages(id),
    channel         VARCHAR(10) NOT NULL,
    target          VARCHAR(214) NOT NULL,
    destination     VARCHAR(230) NOT NULL,
    status          VARCHAR(10) NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    claimed_by      VARCHAR(80),
    claimed_until   BIGINT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX notification_deliveries_due ON notification_deliveries(status, next_attempt_at);
CREATE INDEX notification_deliveries_recent ON notification_deliveries(created_at);

-- A destination (webhook:NAME, or email: the SMTP server) disabled after notifications.disableAfterFailures
-- failures in a row; an admin re-enables it in the console. Rows appear on the first failure.
CREATE TABLE notification_targets (
    target        VARCHAR(230) PRIMARY KEY,
    failures      INTEGER NOT NULL,
    disabled_at   BIGINT,
    last_error    TEXT,
    updated_at    BIGINT NOT NULL
);

-- A user's anti-phishing phrase: every mail Airlock sends them carries it, so a forged one without it stands out.
CREATE TABLE user_mail_settings (
    user_name            VARCHAR(214) PRIMARY KEY REFERENCES users(name),
    anti_phishing_phrase TEXT NOT NULL,
    updated_at           BIGINT NOT NULL
);
