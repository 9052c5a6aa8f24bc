-- Reminder channels besides Web Push (email, ntfy), which channel has carried which nudge,
-- the delivery log, and server secrets (the action-link key). Same tables as
-- migrations/sqlite/0007_channels.sql, with native types.

CREATE TABLE channels (
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('email', 'ntfy')),
    -- the kind's settings as JSON (an ntfy token lives here: never logged, never returned)
    config          TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    disabled_reason TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE nudge_channel_sends (
    nudge_id UUID NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    channel  TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (nudge_id, channel)
);

CREATE TABLE delivery_log (
    seq     BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('sent', 'refused', 'retried', 'given_up')),
    title   TEXT NOT NULL,
    detail  TEXT NOT NULL,
    nudges  INTEGER NOT NULL
);
CREATE INDEX delivery_log_user_channel_idx ON delivery_log (user_id, channel, seq);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
