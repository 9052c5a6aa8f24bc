-- Relationship memory (issue 14): nudges for important dates (`date`) and follow-ups
-- (`follow_up`). Same columns as migrations/postgres/0004_memory_nudges.sql.
--   item_id   which record of the contact the nudge is about: a date's key in `dates`, a
--             follow-up's id; '' for cadence and birthday nudges (every existing row)
--   detail    shown with the name: a follow-up's note (shortened), a date's label
--   recurring a later cycle follows from time alone (birthdays, dates, repeating follow-ups)
-- SQLite cannot change a CHECK or a UNIQUE constraint in place, so the table is rebuilt with
-- every row kept (nothing references nudges). The cycle key gains item_id (two dates of one
-- contact on one day are two nudges), and a follow-up's occurrence is unique without its
-- contact (editing who a follow-up is about never makes a sent occurrence new).

CREATE TABLE nudges_v4 (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('stale', 'birthday', 'date', 'follow_up')),
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
    item_id      TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    recurring    INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT nudges_cycle_key UNIQUE (user_id, contact_id, kind, item_id, cycle_anchor)
);

INSERT INTO nudges_v4 (id, user_id, contact_id, kind, cycle_anchor, due_at, send_at, status, attempts, lease_until,
                       claim_token, contact_name, cadence_days, digest, sent_at, last_error, recurring)
SELECT id, user_id, contact_id, kind, cycle_anchor, due_at, send_at, status, attempts, lease_until,
       claim_token, contact_name, cadence_days, digest, sent_at, last_error, kind = 'birthday'
FROM nudges;

DROP TABLE nudges;
ALTER TABLE nudges_v4 RENAME TO nudges;

CREATE UNIQUE INDEX nudges_follow_up_cycle_key ON nudges (user_id, item_id, cycle_anchor) WHERE kind = 'follow_up';
CREATE INDEX nudges_pending_send_at_idx ON nudges (send_at) WHERE status = 'pending';
CREATE INDEX nudges_sending_lease_idx ON nudges (lease_until) WHERE status = 'sending';
CREATE INDEX nudges_birthday_due_idx ON nudges (due_at) WHERE kind = 'birthday';
-- The roll-over sweep's look for dates and repeating follow-ups whose next cycle is missing.
CREATE INDEX nudges_date_due_idx ON nudges (due_at) WHERE kind = 'date';
CREATE INDEX nudges_follow_up_due_idx ON nudges (due_at) WHERE kind = 'follow_up';
