-- Reminders: the browsers' push subscriptions and the nudge schedule.
-- Same tables and columns as migrations/sqlite/0002_push_nudges.sql, with native types.

CREATE TABLE push_subscriptions (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the signed-in device that registered it: logging that device out stops its pushes
    session_id UUID REFERENCES sessions (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_id_idx ON push_subscriptions (user_id);

CREATE TABLE nudges (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id   UUID NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('stale', 'birthday')),
    cycle_anchor TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    send_at      TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  TIMESTAMPTZ,
    claim_token  UUID,
    contact_name TEXT NOT NULL,
    cadence_days INTEGER,
    digest       BOOLEAN NOT NULL,
    sent_at      TIMESTAMPTZ,
    last_error   TEXT,
    CONSTRAINT nudges_cycle_key UNIQUE (user_id, contact_id, kind, cycle_anchor)
);
CREATE INDEX nudges_pending_send_at_idx ON nudges (send_at) WHERE status = 'pending';
CREATE INDEX nudges_sending_lease_idx ON nudges (lease_until) WHERE status = 'sending';
