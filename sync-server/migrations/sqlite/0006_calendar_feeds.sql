-- The calendar feed (issue 15): one secret feed URL per user, found by the SHA-256 of its
-- secret (the secret itself is never stored). Same columns as
-- migrations/postgres/0007_calendar_feeds.sql. Creating a feed again replaces the row, so the
-- old URL stops working; deleting the row turns the feed off.
-- (0007, not the next free number: other branches were adding 0005/0006 at the same time.)

CREATE TABLE calendar_feeds (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT calendar_feeds_secret_hash_key UNIQUE (secret_hash)
);
