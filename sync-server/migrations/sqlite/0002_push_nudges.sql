-- Reminders: the browsers' push subscriptions and the nudge schedule.
-- Same tables and columns as migrations/postgres/0002_push_nudges.sql. Timestamps are
-- INTEGER milliseconds since the Unix epoch (UTC); uuids are TEXT.

CREATE TABLE push_subscriptions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the signed-in device that registered it: logging that device out stops its pushes
    session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_id_idx ON push_subscriptions (user_id);

CREATE TABLE nudges (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('stale', 'birthday')),
    -- what started this cycle (last interaction, snooze end, birthday date): planning the
    -- same document twice hits the same row, a new cycle makes a new one
    cycle_anchor INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    send_at      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER,
    claim_token  TEXT,
    contact_name TEXT NOT NULL,
    cadence_days INTEGER,
    digest       INTEGER NOT NULL,
    sent_at      INTEGER,
    last_error   TEXT,
    CONSTRAINT nudges_cycle_key UNIQUE (user_id, contact_id, kind, cycle_anchor)
);
-- Workers look only at these two small slices of the table.
CREATE INDEX nudges_pending_send_at_idx ON nudges (send_at) WHERE status = 'pending';
CREATE INDEX nudges_sending_lease_idx ON nudges (lease_until) WHERE status = 'sending';
