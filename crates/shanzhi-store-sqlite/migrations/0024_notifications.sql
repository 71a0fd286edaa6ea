-- Issue 18 (notifications): the outbox and each person's choices.
-- A row is written in the same transaction as the matter event that causes
-- it; the worker leases due rows (lease_until: a dead server's lease runs out
-- and the row is taken again), delivers, and marks it sent, or schedules a
-- retry (next_attempt_at) until max attempts, then failed. In-app inbox rows
-- are sent on insert: the row is the delivery.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    event_key       TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('inbox', 'log', 'webhook', 'email', 'sms')),
    kind            TEXT NOT NULL,
    matter_id       TEXT,
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    body_zh         TEXT NOT NULL,
    body_en         TEXT NOT NULL,
    link            TEXT,
    urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'leased', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    leased_by       TEXT,
    sent_at         INTEGER,
    read_at         INTEGER,
    last_error      TEXT,
    UNIQUE (event_key, recipient, channel)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state <> 'sent';
CREATE INDEX notifications_inbox ON notifications (recipient, created_at, id) WHERE channel = 'inbox';
CREATE INDEX notifications_failed ON notifications (created_at) WHERE state = 'failed';

CREATE TABLE notification_preferences (
    user_id      TEXT PRIMARY KEY,
    -- JSON: event group -> external channels chosen (the inbox is always on).
    channels     TEXT NOT NULL,
    -- Minutes after local midnight (Asia/Shanghai); both null: no quiet hours.
    quiet_start  INTEGER,
    quiet_end    INTEGER,
    email        TEXT,
    updated_at   INTEGER NOT NULL
);
