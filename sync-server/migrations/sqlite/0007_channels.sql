-- Reminder channels besides Web Push (email, ntfy), which channel has carried which nudge,
-- the delivery log, and server secrets (the action-link key). Same tables as
-- migrations/postgres/0007_channels.sql. Timestamps are INTEGER ms since the epoch (UTC).

CREATE TABLE channels (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('email', 'ntfy')),
    -- the kind's settings as JSON (an ntfy token lives here: never logged, never returned)
    config          TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    -- why the server turned it off (a permanent failure, an unsubscribe link)
    disabled_reason TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- One row per (nudge, channel) the channel is finished with: a retried nudge skips them,
-- so no channel carries a nudge twice.
CREATE TABLE nudge_channel_sends (
    nudge_id TEXT NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    channel  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (nudge_id, channel)
);

CREATE TABLE delivery_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    at      INTEGER NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('sent', 'refused', 'retried', 'given_up')),
    title   TEXT NOT NULL,
    detail  TEXT NOT NULL,
    nudges  INTEGER NOT NULL
);
CREATE INDEX delivery_log_user_channel_idx ON delivery_log (user_id, channel, seq);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
