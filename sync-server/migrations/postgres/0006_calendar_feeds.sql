-- The calendar feed (issue 15): one secret feed URL per user, found by the SHA-256 of its
-- secret (the secret itself is never stored). Same columns as
-- migrations/sqlite/0007_calendar_feeds.sql. Creating a feed again replaces the row, so the
-- old URL stops working; deleting the row turns the feed off.

CREATE TABLE calendar_feeds (
    user_id     UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT calendar_feeds_secret_hash_key UNIQUE (secret_hash)
);
