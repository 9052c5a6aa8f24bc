-- Relationship memory (issue 14): nudges for important dates (`date`) and follow-ups
-- (`follow_up`). Same columns as migrations/sqlite/0004_memory_nudges.sql (see there for
-- what each means). Additive: existing rows keep everything (item_id '' , detail '').
ALTER TABLE nudges DROP CONSTRAINT IF EXISTS nudges_kind_check;
ALTER TABLE nudges ADD CONSTRAINT nudges_kind_check CHECK (kind IN ('stale', 'birthday', 'date', 'follow_up'));

ALTER TABLE nudges ADD COLUMN item_id TEXT NOT NULL DEFAULT '';
ALTER TABLE nudges ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE nudges ADD COLUMN recurring BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE nudges SET recurring = TRUE WHERE kind = 'birthday';

-- The cycle key gains item_id: two dates of one contact on one day are two nudges. A
-- follow-up's occurrence is unique without its contact.
ALTER TABLE nudges DROP CONSTRAINT nudges_cycle_key;
ALTER TABLE nudges ADD CONSTRAINT nudges_cycle_key UNIQUE (user_id, contact_id, kind, item_id, cycle_anchor);
CREATE UNIQUE INDEX nudges_follow_up_cycle_key ON nudges (user_id, item_id, cycle_anchor) WHERE kind = 'follow_up';

CREATE INDEX nudges_date_due_idx ON nudges (due_at) WHERE kind = 'date';
CREATE INDEX nudges_follow_up_due_idx ON nudges (due_at) WHERE kind = 'follow_up';
